"""Log records that say which request they came from, so an error can be traced to a page."""

import logging


class RequestContextFilter(logging.Filter):
    """Add ``request_context`` (method, path, user id, address) to every record; empty if none."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_context = ""
        if request is not None and hasattr(request, "META"):
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else "-"
            record.request_context = (
                f" [{request.method} {request.get_full_path()[:200]} user={user_id}"
                f" addr={request.META.get('REMOTE_ADDR', '-')}]"
            )
        return True
