"""The interface language: Chinese, unless the user picked another with the language switch.

Django's LocaleMiddleware follows the browser's Accept-Language, so an officer whose phone is set
to English got an English app with Chinese charts, units and admin pieces. The bureau works in
Chinese; English is a choice made on purpose, remembered in the language cookie that the switch
(`set_language`) writes.
"""

from django.conf import settings
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


def chosen_language(request) -> str:
    """The language of the switch's cookie when it names a supported one, else Chinese."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if code:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware(MiddlewareMixin):
    """Activate the chosen language for the request (Accept-Language is not asked)."""

    def process_request(self, request):
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
