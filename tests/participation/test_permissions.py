"""Who may do what with surveys: editors make codes but see no answers; the council reads
answers and edits nothing."""

import pytest

GROUPS = ["Redaktion", "Freigabe", "Gemeinderat", "Administration"]


@pytest.mark.parametrize(
    "group, makes_codes, reads_answers",
    [
        ("Redaktion", True, False),
        ("Freigabe", False, False),
        ("Gemeinderat", False, True),
        # Administration may do everything (website.signal_handlers).
        ("Administration", True, True),
    ],
)
def test_group_permissions(staff_member, survey_factory, group, makes_codes, reads_answers):
    user = staff_member(group)
    survey = survey_factory()

    assert user.has_perm("participation.add_accesscode") is makes_codes
    assert user.has_perm("participation.view_response") is reads_answers
    assert user.has_perm("participation.view_answer") is reads_answers
    # nobody may change answers or participations by hand
    for action in ("add", "change", "delete"):
        for model in ("response", "answer", "participation"):
            assert not user.has_perm(f"participation.{action}_{model}")
    assert survey.permissions_for_user(user).can_edit() is (group != "Gemeinderat")
