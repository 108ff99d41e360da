"""A service as schema.org data (GovernmentService), for search engines and other programs
that read the page: who provides it, where, and through which channels."""

from django.http import HttpRequest

from website.models import MunicipalitySettings
from website.seo import SCHEMA_ORG, absolute_url, municipality_organization, without_empty


def _office_place(office) -> dict:
    return without_empty(
        {
            "@type": "GovernmentOffice",
            "name": office.name,
            "telephone": office.phone,
            "email": office.email,
            "address": without_empty(
                {
                    "@type": "PostalAddress",
                    "streetAddress": office.street_address,
                    "postalCode": office.postal_code,
                    "addressLocality": office.city,
                    "addressCountry": "DE",
                }
            ),
        }
    )


def service_json_ld(service, request: HttpRequest, *, offices, online_services) -> dict:
    """The service (services.models.Service) with its responsible offices (responsibilities,
    office and Ortschaft loaded) and its current online services."""
    municipality = MunicipalitySettings.for_request(request)
    area_names = sorted(
        {
            responsibility.ortschaft.name
            for responsibility in offices
            if responsibility.ortschaft is not None
        }
    )
    is_whole = not offices or any(responsibility.ortschaft is None for responsibility in offices)
    areas = [{"@type": "AdministrativeArea", "name": municipality.city or municipality.name}]
    if not is_whole:
        areas = [{"@type": "Place", "name": name} for name in area_names]
    channels = [
        without_empty(
            {
                "@type": "ServiceChannel",
                "name": online.name,
                "serviceUrl": online.url,
                "availableLanguage": "de",
            }
        )
        for online in online_services
    ]
    channels += [
        without_empty(
            {
                "@type": "ServiceChannel",
                "name": responsibility.office.name,
                "serviceLocation": _office_place(responsibility.office),
                "servicePhone": without_empty(
                    {"@type": "ContactPoint", "telephone": responsibility.office.phone}
                )
                if responsibility.office.phone
                else None,
            }
        )
        for responsibility in offices
    ]
    return {
        "@context": SCHEMA_ORG,
        **without_empty(
            {
                "@type": "GovernmentService",
                "name": service.name,
                "description": service.short_text,
                "url": absolute_url(request, service.get_absolute_url()),
                "identifier": {
                    "@type": "PropertyValue",
                    "propertyID": "LeiKa",
                    "value": service.leika_key,
                },
                "provider": municipality_organization(municipality, request),
                "areaServed": areas,
                "availableChannel": channels,
            }
        ),
    }
