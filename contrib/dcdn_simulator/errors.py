"""Errors in the service's shape: every error code the simulator answers
with its HTTP status and the service's own message, the exception the
checks raise (ApiError), and the JSON error body."""

import typing

SERVICE_HOST = "dcdn.aliyuncs.com"


# code -> (HTTP status, message).  Messages copy the service's wording.
ERRORS = {
    "InvalidTaskId.Malformed": (400, "The specified TaskId is invalid."),
    "InvalidTaskId.ExceedLimit": (400, "A maximum of 10 task IDs are supported for each request."),
    "MissingParameter.ObjectType": (400, "The ObjectType parameter is required if DomainName or ObjectType is specified."),
    "MissingTimeParameter": (400, "The StartTime and EndTime must be both specified."),
    "InvalidEndTime.Mismatch": (400, "The specified EndTime is earlier than the StartTime."),
    "DomainNameOverLimit": (400, "A maximum of 500 domains are supported for each request."),
    "InvalidTime": (400, "The query time cannot exceed the last 3 days."),
    "InvalidStartTime.Malformed": (400, "The specified StartTime parameter is invalid."),
    "InvalidEndTime.Malformed": (400, "The specified EndTime is invalid."),
    "InvalidStartTime.ValueNotSupported": (400, "The specified StartTime is invalid."),
    "InvalidObjectType.ValueNotSupported": (400, "The specified ObjectType is not supported."),
    "InvalidStatus.ValueNotSupported": (400, "The specified Status is not supported."),
    "InvalidParameter": (400, "The specified parameter is invalid."),
    # RefreshDcdnObjectCaches and PreloadDcdnObjectCaches (the sandbox).
    "SingleRequest.OverLimit": (400, "A maximum of 1000 URLs are supported for each request."),
    "InvalidObjectType.Malformed": (400, "The specified ObjectType is invalid."),
    "InvalidObjectPath.Malformed": (400, "The specified ObjectPath is invalid."),
    "InvalidExtensiveDomain.ValueNotSupported": (400, "The specified ExtensiveDomain is not supported."),
    "QuotaExceeded.Refresh": (400, "Your refresh attempts have exceeded the daily limit."),
    "QuotaExceeded.Preload": (400, "Your preload attempts have exceeded the daily limit."),
    # ESA's (codes and messages unverified: none published for these actions).
    "QuotaExceeded.Purge": (400, "Your purge attempts have exceeded the daily limit."),
    "InvalidContent": (400, "The specified Content is invalid."),
    "SiteNotFound": (404, "The specified site does not exist."),
    "Forbidden.RAM": (403, "User not authorized to operate on the specified resource, "
                           "or this API doesn't support RAM."),
    "TooManyRequests": (429, "The server is busy. Please try again later."),
    "Throttling.User": (400, "Request was denied due to user flow control."),
    "Throttling": (503, "Request was denied due to request throttling."),     # CDN's
    "InvalidAccessKeyId.NotFound": (404, "Specified access key is not found."),
    "SignatureDoesNotMatch": (400, "Specified signature is not matched with our calculation."),
    "IncompleteSignature": (400, "The request signature does not conform to Aliyun standards."),
    "InvalidTimeStamp.Expired": (400, "Specified time stamp or date value is expired."),
    "InvalidTimeStamp.Format": (400, "Specified time stamp or date value is not well formatted."),
    "SignatureNonceUsed": (400, "Specified signature nonce was used already."),
    "InvalidSecurityToken.Mismatch": (400, "Specified SecurityToken mismatch with the AccessKey."),
    "InvalidSecurityToken.Expired": (400, "The security token you provided has expired."),
    "InvalidVersion": (400, "Specified parameter Version is not valid."),
    "InvalidAction.NotFound": (404, "Specified api is not found, please check your url and method."),
    "ServiceUnavailable": (503, "The request has failed due to a temporary failure of the server."),
    "InternalError": (500, "The request processing has failed due to some unknown error, exception or failure."),
}


class ApiError(Exception):
    def __init__(self, code: str, message: typing.Optional[str] = None,
                 status: typing.Optional[int] = None):
        default_status, default_message = ERRORS.get(code, (400, code))
        self.code = code
        self.message = message or default_message
        self.status = status or default_status
        super().__init__(f"{self.status} {code}: {self.message}")


def missing(name: str) -> ApiError:
    """A mandatory parameter P is absent: code MissingP, as the gateway names it."""
    return ApiError(f"Missing{name}", f"{name} is mandatory for this action.", 400)


def error_body(code: str, message: str, request_id: str, host: str = SERVICE_HOST,
               product: str = "Dcdn") -> dict:
    return {
        "RequestId": request_id,
        "HostId": host,
        "Code": code,
        "Message": message,
        "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}&product={product}&requestId={request_id}",
    }
