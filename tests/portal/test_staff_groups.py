"""Migrations replace Wagtail's English groups by the municipality's four."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import GroupCollectionPermission, GroupPagePermission, Site

pytestmark = pytest.mark.django_db

STAFF_GROUPS = {"Redaktion", "Freigabe", "Gemeinderat", "Administration"}


def test_staff_groups_replace_wagtails_defaults():
    names = set(Group.objects.values_list("name", flat=True))

    assert names >= STAFF_GROUPS
    assert not {"Editors", "Moderators"} & names


@pytest.mark.parametrize(
    "group_name, can_edit, can_publish",
    [
        # Editors publish ordinary pages; official notices need Freigabe (tests/notices).
        ("Redaktion", True, True),
        ("Freigabe", True, True),
        ("Gemeinderat", False, False),
        ("Administration", True, True),
    ],
)
def test_group_page_permissions(group_name, can_edit, can_publish):
    # given a staff member in the group and a page below the root
    user = get_user_model().objects.create_user(username=f"member-{group_name.lower()}")
    user.groups.add(Group.objects.get(name=group_name))
    page = Site.objects.get(is_default_site=True).root_page

    # when Wagtail asks what they may do with it
    permissions = page.permissions_for_user(user)

    # then
    assert user.has_perm("wagtailadmin.access_admin")
    assert permissions.can_edit() is can_edit
    assert permissions.can_publish() is can_publish


def test_gemeinderat_reads_but_writes_nothing():
    group = Group.objects.get(name="Gemeinderat")

    assert not GroupPagePermission.objects.filter(group=group).exists()
    codenames = set(
        GroupCollectionPermission.objects.filter(group=group).values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == {"choose_document", "choose_image"}
