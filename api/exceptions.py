"""The API's one exception handler: the services' domain errors as HTTP answers.

The services raise Django's own exceptions (they serve the pages too), so the API translates
them here, once, instead of wrapping every call in every view:

    ValidationError  -> 400, the messages by field (`non_field_errors` for the whole object)
    PermissionDenied -> 403
    EditConflict     -> 409, with the version now saved
    DoesNotExist     -> 404
    IntegrityError   -> 400 (a unique row written by someone else between check and insert)
"""

import logging

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler, set_rollback

from projects.services import EditConflict

logger = logging.getLogger(__name__)

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


def validation_error_detail(error: ValidationError) -> dict:
    """Django's ValidationError as DRF's field -> [messages]."""
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {NON_FIELD: error.messages}


def api_exception_handler(exc, context):
    if isinstance(exc, EditConflict):
        set_rollback()
        return Response(
            {"detail": str(exc), "version": exc.current.version}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    elif isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, IntegrityError):
        # The services validate uniqueness first; only a race between two writers ends here.
        logger.warning("API write refused by a database constraint: %s", exc)
        exc = exceptions.ValidationError({NON_FIELD: [_("数据已被他人同时修改，请刷新后重试。")]})
    return exception_handler(exc, context)
