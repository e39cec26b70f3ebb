import Hummingbird
import Logging

/// BUD-01 asks for `Access-Control-Allow-Origin: *` on every response, errors
/// included, and fixed answers to preflight OPTIONS. It also turns unexpected
/// errors into a 500 with a reason, so clients always get the CORS headers.
struct BlossomCORSMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        if request.method == .options {
            var headers = HTTPFields()
            headers[.accessControlAllowOrigin] = "*"
            headers[.accessControlAllowHeaders] = "Authorization, *"
            headers[.accessControlAllowMethods] = "GET, HEAD, PUT, DELETE"
            headers[.accessControlMaxAge] = "86400"
            return Response(status: .noContent, headers: headers)
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            context.logger.error("blossom request failed", metadata: ["error": "\(error)"])
            response = try Refusal(.internalServerError, "internal error").response(from: request, context: context)
        }
        response.headers[.accessControlAllowOrigin] = "*"
        response.headers[.accessControlExposeHeaders] = "X-Reason, Content-Length, Content-Range, Accept-Ranges"
        return response
    }
}
