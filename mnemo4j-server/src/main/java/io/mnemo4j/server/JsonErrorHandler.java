package io.mnemo4j.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * Jetty's own errors (malformed HTTP, headers too large, URI too long) in our JSON error shape
 * instead of HTML, never with a stack trace. Thread-safe (stateless).
 */
final class JsonErrorHandler extends ErrorHandler {
  JsonErrorHandler() {
    setShowStacks(false);
    setShowCauses(false);
    setShowMessageInTitle(false);
  }

  /**
   * Every method gets the JSON body: Jetty answers only GET, POST and HEAD with one by default, so
   * a malformed DELETE or PUT got an empty 400.
   */
  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      @Nullable String message,
      @Nullable Throwable cause,
      Callback callback) {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(body(code)), callback);
  }

  private static byte[] body(int code) {
    String reason = HttpStatus.getMessage(code);
    // A 400 here is a request Jetty could not parse (request line, URI escapes, headers): bad
    // input like any other, under the same code.
    ErrorMapper.Problem p =
        code == 400
            ? new ErrorMapper.Problem(
                400,
                "invalid_request",
                "malformed HTTP request (request line, URI or headers)",
                "request")
            : new ErrorMapper.Problem(
                code,
                code >= 500 ? "internal_error" : "bad_request",
                reason == null ? "request refused" : reason,
                null);
    try {
      return Json.OUT.writeValueAsBytes(ErrorMapper.body(p));
    } catch (JsonProcessingException e) {
      return "{\"error\":{\"code\":\"internal_error\",\"message\":\"error\",\"field\":null}}"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
  }
}
