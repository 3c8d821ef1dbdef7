"""A middleware that fails on one path.

An exception raised in middleware never reaches a view; the test checks that
DjangoIntegration still reports it, with the request it failed on.
"""


class MiddlewareError(RuntimeError):
    pass


class FailingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/middleware/":
            raise MiddlewareError("middleware rejected " + request.path)
        return self.get_response(request)
