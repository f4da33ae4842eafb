package jenkinsdouble

import com.sun.net.httpserver.HttpExchange
import java.nio.charset.StandardCharsets

/** Not a Jenkins class: one HTTP request's parameters (query string and urlencoded form, UTF-8) and cookies. */
class Request {
    final HttpExchange exchange
    final String method
    final String path
    /** The raw request body (a posted config.xml, for example). */
    final byte[] body
    private final Map<String, List<String>> params = new LinkedHashMap<String, List<String>>()

    Request(HttpExchange exchange) {
        this.exchange = exchange
        this.method = exchange.getRequestMethod()
        this.path = exchange.getRequestURI().getRawPath()
        parse(exchange.getRequestURI().getRawQuery())
        String type = exchange.getRequestHeaders().getFirst("Content-Type")
        this.body = exchange.getRequestBody().readAllBytes()
        if (type == null || type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            parse(new String(body, StandardCharsets.ISO_8859_1))
        }
    }

    private void parse(String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            return
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue
            }
            int eq = pair.indexOf('=')
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), "UTF-8")
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), "UTF-8")
            List<String> values = params.get(k)
            if (values == null) {
                values = new ArrayList<String>()
                params.put(k, values)
            }
            values.add(v)
        }
    }

    String param(String name) {
        List<String> v = params.get(name)
        return v == null || v.isEmpty() ? null : v.get(0)
    }

    String header(String name) {
        return exchange.getRequestHeaders().getFirst(name)
    }

    String cookie(String name) {
        List<String> headers = exchange.getRequestHeaders().get("Cookie")
        if (headers == null) {
            return null
        }
        for (String h : headers) {
            for (String c : h.split(";")) {
                String t = c.trim()
                if (t.startsWith(name + "=")) {
                    return t.substring(name.length() + 1)
                }
            }
        }
        return null
    }

    /** The root URL this request came in on (Jenkins.getRootUrlFromRequest, honouring X-Forwarded-*). */
    String rootUrl() {
        String scheme = header("X-Forwarded-Proto") ?: "http"
        String host = header("X-Forwarded-Host") ?: header("Host")
        if (host == null) {
            host = exchange.getLocalAddress().getHostString() + ":" + exchange.getLocalAddress().getPort()
        }
        return scheme + "://" + host + "/"
    }
}
