# Varnish in front of the site (docs/performance.md). gtmp_site/local_site.py
# fills in the backend's address and the purgers; a deployment puts its own there.
#
# Django marks each public response it may share with Cache-Control s-maxage
# and an xkey header naming the content it shows; every content change sends
# PURGE with an xkey-purge header listing the keys it touched
# (gtmp_site/core/cache.py), which drops exactly the objects that show it.
vcl 4.1;

import xkey;

backend default {
    .host = "{backend_host}";
    .port = "{backend_port}";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

# Who may PURGE: the app servers (VARNISH_PURGERS, loopback by default).
acl purgers {
{purgers}
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Purging is for the site's own servers."));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Name the keys to purge in xkey-purge."));
        }
        set req.http.x-purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.x-purged + " objects."));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Editors (a session or a token), the admin, previews and the health check
    # always reach Django.
    if (req.url ~ "^/admin/" || req.url ~ "/preview/" || req.url ~ "^/healthz") {
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # No other cookie changes a public page.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # Share only what Django said may be shared: a response without
    # Cache-Control (errors, editors' pages) or setting a cookie is not kept.
    if (!beresp.http.Cache-Control || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # Kept compressed: pages, API answers, downloads and SVG charts go out gzipped
    # to clients that accept it (Varnish unzips them for the rest). Django does
    # not compress public responses (docs/decisions.md, 2026-12-03).
    if (beresp.http.Content-Type ~ "^(text/|application/(json|xml|atom|javascript)|image/svg)") {
        set beresp.do_gzip = true;
    }
}

sub vcl_deliver {
    # The keys are for purging, not for browsers.
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
}
