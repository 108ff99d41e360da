"""Published survey results in the open-data API (website/api.py): what a closed
survey's page shows, the questions staff published with their counts and the free texts they
approved; the council's breakdown by Ortschaft stays in the admin."""

from django.utils import timezone
from rest_framework import serializers

from website.api import PublicReadOnlyViewSet

from .models import SurveyPage
from .results import survey_results_published


class ResultRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()
    percent = serializers.FloatField(help_text="Of those who answered the question.")


class QuestionResultSerializer(serializers.Serializer):
    id = serializers.CharField(source="question.id")
    number = serializers.IntegerField()
    text = serializers.CharField(source="question.text")
    kind = serializers.CharField(source="question.kind")
    answered = serializers.IntegerField()
    rows = ResultRowSerializer(many=True)
    mean = serializers.FloatField(allow_null=True)
    texts = serializers.SerializerMethodField(help_text="Free texts staff approved.")

    def get_texts(self, result) -> list[str]:
        return [answer.text for answer in result.texts]


class SurveySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    ortschaften = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = SurveyPage
        fields = [
            "id",
            "title",
            "url",
            "opens_at",
            "closes_at",
            "ortschaften",
            "way_of_taking_part",
            "last_published_at",
        ]

    def get_url(self, survey) -> str:
        return survey.get_full_url(self.context["request"])


class SurveyResultsSerializer(SurveySerializer):
    responses = serializers.IntegerField(source="results.responses")
    paper = serializers.IntegerField(source="results.paper")
    questions = QuestionResultSerializer(source="results.questions", many=True)

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "responses", "paper", "questions"]


class SurveyResultsViewSet(PublicReadOnlyViewSet):
    """Closed surveys whose results are published, the most recently closed first."""

    modified_field = "last_published_at"
    model = SurveyPage

    def public_queryset(self):
        return (
            SurveyPage.objects.live()
            .public()
            .filter(closes_at__lte=timezone.now(), results_publication__isnull=False)
            .exclude(results_publication__question_ids=[])
            .prefetch_related("ortschaften")
            .order_by("-closes_at", "-pk")
        )

    def get_serializer_class(self):
        return SurveyResultsSerializer if self.action == "retrieve" else SurveySerializer

    def get_object(self):
        survey = super().get_object()
        survey.results = survey_results_published(survey=survey)
        return survey
