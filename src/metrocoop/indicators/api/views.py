import django_filters

from metrocoop.core.api.base import ScopedReadOnlyViewSet
from metrocoop.indicators.api.serializers import IndicatorSerializer, ObservationSerializer
from metrocoop.indicators.models import Indicator, Observation


class ObservationFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code")
    city = django_filters.CharFilter(field_name="city__code")

    class Meta:
        model = Observation
        fields = ["indicator", "city", "year", "derived"]


class IndicatorViewSet(ScopedReadOnlyViewSet):
    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    lookup_field = "code"


class ObservationViewSet(ScopedReadOnlyViewSet):
    queryset = Observation.objects.select_related("indicator", "city")
    serializer_class = ObservationSerializer
    filterset_class = ObservationFilter
