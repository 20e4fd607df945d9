"""API tokens: stored hashed (django-rest-knox keeps a SHA-512 digest, never the token), with
an expiry (REST_KNOX["TOKEN_TTL"]), and ended by a password change or a deactivation.

The header stays `Authorization: Token <token>`, as the README documents.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken
from rest_framework.exceptions import AuthenticationFailed


def token_issue(user) -> tuple[AuthToken, str]:
    """A new token for `user`: the row (with its expiry) and the token, shown this once.

    The user's expired tokens are deleted here, rather than at every authenticated request
    as knox does (one query per API call)."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    return AuthToken.objects.create(user=user)


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's check, plus: a token issued before the holder's last password change, or held by
    a deactivated account, is deleted and refused."""

    def validate_user(self, auth_token):
        user = auth_token.user
        changed = user.password_changed_at
        if not user.is_active or (changed is not None and auth_token.created < changed):
            auth_token.delete()
            raise AuthenticationFailed(_("令牌已失效（密码已修改或账号已停用），请重新获取。"))
        return user, auth_token

    def _cleanup_token(self, auth_token) -> bool:
        # Only this token's own expiry: knox also sweeps the user's other tokens here, a query
        # per request; token_issue does that instead.
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": _(
                "“Token ”加上 POST /api/v1/auth/token/ 返回的令牌；令牌到期或修改密码后失效。"
            ),
        }
