"""What a failed Graph call says: status, Graph's error code, Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from kiota_abstractions.api_error import APIError
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

# Throttled or briefly unavailable: worth another attempt later.
RETRY_LATER = frozenset({429, 503, 504})


def error_code(error: APIError) -> str:
    if isinstance(error, ODataError) and error.error is not None and error.error.code:
        return error.error.code
    return f"HTTP {error.response_status_code}"


def error_reason(error: APIError) -> str:
    """Graph's code and message, e.g. "ErrorAccessDenied: Access is denied. (HTTP 403)"."""
    message = ""
    if isinstance(error, ODataError) and error.error is not None and error.error.message:
        message = f": {error.error.message}"
    return f"{error_code(error)}{message} (HTTP {error.response_status_code})"


def retry_after(error: APIError, now: datetime | None = None) -> float | None:
    """Seconds to wait as the service asked: delta-seconds or an HTTP date."""
    value = (error.response_headers or {}).get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
