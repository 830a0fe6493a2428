import pytest


def test_service_errors_become_page_messages_but_404_still_propagates(rf):
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    from innolink.core.errors import ApplicationError, NotFound, ValidationFailed
    from innolink.core.flash import errors_as_messages

    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    with errors_as_messages(request):
        raise ValidationFailed({"file": ["附件：请选择文件"], "kind": ["类型无效"]})
    with errors_as_messages(request):
        raise ApplicationError("已过揭榜截止日期")
    assert [str(m) for m in get_messages(request)] == ["附件：请选择文件；类型无效",
                                                       "已过揭榜截止日期"]
    with pytest.raises(NotFound), errors_as_messages(request):
        raise NotFound()


def test_403_propagates_from_both_forms_and_leaves_no_message(rf):
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    from innolink.core.errors import Conflict, PermissionDenied
    from innolink.core.flash import errors_as_messages, refusal_as_message

    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    with pytest.raises(PermissionDenied), errors_as_messages(request):
        raise PermissionDenied()
    with pytest.raises(PermissionDenied):
        refusal_as_message(request, PermissionDenied())
    assert list(get_messages(request)) == []
    refusal_as_message(request, Conflict("活动已排程，不能再邀请"))
    assert [str(m) for m in get_messages(request)] == ["活动已排程，不能再邀请"]
