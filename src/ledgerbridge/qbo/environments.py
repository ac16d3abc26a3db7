"""Where a connection talks to: Intuit production, Intuit's sandbox, or a local sandbox."""

from __future__ import annotations

from dataclasses import dataclass

from ledgerbridge.errors import ConfigurationError

INTUIT_AUTHORIZE = "https://appcenter.intuit.com/connect/oauth2"
INTUIT_TOKEN = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"  # noqa: S105
INTUIT_REVOKE = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"
API_BASES = {
    "production": "https://quickbooks.api.intuit.com",
    "intuit_sandbox": "https://sandbox-quickbooks.api.intuit.com",
}
ENVIRONMENTS = ("production", "intuit_sandbox", "local")
SCOPE = "com.intuit.quickbooks.accounting"


@dataclass(frozen=True)
class Endpoints:
    """The URLs of one environment."""

    environment: str
    api_base: str
    authorize_url: str
    token_url: str
    revoke_url: str

    @property
    def oauth_base(self) -> str | None:
        """What the ``connections`` row keeps (None for Intuit's fixed endpoints)."""
        return self.api_base if self.environment == "local" else None


def endpoints_for(environment: str, local_url: str | None = None) -> Endpoints:
    """The endpoints of ``environment``; ``local`` needs the sandbox's base URL."""
    if environment == "local":
        if not local_url:
            raise ConfigurationError("a local sandbox connection needs its URL "
                                     "(--sandbox-url http://127.0.0.1:8765)")
        base = local_url.rstrip("/")
        return Endpoints("local", base, f"{base}/connect/oauth2",
                         f"{base}/oauth2/v1/tokens/bearer", f"{base}/v2/oauth2/tokens/revoke")
    if environment not in API_BASES:
        raise ConfigurationError(f"unknown QuickBooks environment '{environment}'; use one "
                                 f"of {', '.join(ENVIRONMENTS)}")
    return Endpoints(environment, API_BASES[environment], INTUIT_AUTHORIZE, INTUIT_TOKEN,
                     INTUIT_REVOKE)
