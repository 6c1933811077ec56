# The production acceptance checks: a sourced library for the stack suites. A client on
# the test network (a network namespace of its own on the suite's bridge, with the
# public name in its /etc/hosts) sees the site as a visitor and as an attacker would.
#
#   . tests/stack/acceptance.sh          (after report.sh and netns.sh)
#   acceptance_client CLIENT ADDR WEB-ADDR     # the client's namespace, PUBLIC_HOST -> WEB-ADDR
#   acceptance_site CLIENT                     # TLS, redirects, caching, purges, refusals
#   acceptance_upload CLIENT MEGABYTES         # a file that size, uploaded and read back
#   acceptance_load CLIENT CSV-FUNCTION        # 1,000 keep-alive connections, 200 at once
#   acceptance_ports CLIENT ADDR "OPEN..." "CLOSED..."
#
# It reads the design's values the suites already have (tests/stack/design_env.py):
# PUBLIC_HOST, PUBLIC_HTTPS, HTTP_PORT, HTTPS_PORT, HSTS, SITE_ID, ZOPE_ADMIN_USER,
# ZOPE_ADMIN_PASSWORD, and $work (a folder for bodies and logs). Each check is counted
# with report.sh's check/expect. Traffic goes only to the test machines on the bridge;
# the load is bounded in count (requests) and time (curl's and h2load's timeouts).

ACCEPTANCE_PY=${PY:-/usr/bin/python3}

# The cipher suites Mozilla's intermediate profile allows (guidelines 5.7): TLS 1.3's
# three and TLS 1.2's ECDHE with AES-GCM or ChaCha20-Poly1305.
ACCEPTANCE_CIPHERS="TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256
ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384
ECDHE-RSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-RSA-CHACHA20-POLY1305"

# acceptance_client CLIENT ADDR WEB-ADDR: the client's namespace on the bridge; the public
# name resolves to the web machine there, as DNS would for a visitor.
acceptance_client() {
    local client=$1 addr=$2 web=$3
    if [[ " ${NETNS_CREATED[*]} " != *" $client "* ]]; then
        netns_up "$client" "$addr" || return 1
    fi
    ACCEPTANCE_WEB=$web
    netns_hosts "$client" "$web $PUBLIC_HOST"
}

# as_visitor CLIENT CURL-ARGS...: curl from the client; sets code, and the files
# $work/visitor.body and $work/visitor.headers. https takes the self-signed certificate.
as_visitor() {
    local client=$1
    shift
    : > "$work/visitor.body"
    : > "$work/visitor.headers"
    code=$(netns_exec "$client" curl -s --insecure --max-time 60 -o "$work/visitor.body" \
        -D "$work/visitor.headers" -w '%{http_code}' "$@")
    curl_status=$?
    log "client: curl ${*: -1} -> $code (curl status $curl_status)"
}

visitor_header() {
    tr -d '\r' < "$work/visitor.headers" | awk -v h="$(echo "$1" | tr 'A-Z' 'a-z'):" \
        'tolower($1) == h { $1 = ""; sub(/^ /, ""); v = $0 } END { print v }'
}

# A page's title as Plone writes it.
visitor_title() { sed -n 's:.*<title>\([^<]*\)</title>.*:\1:p' "$work/visitor.body" | head -1; }

acceptance_site() {
    local client=$1 site="https://$PUBLIC_HTTPS" auth="$ZOPE_ADMIN_USER:$ZOPE_ADMIN_PASSWORD"

    as_visitor "$client" "http://$PUBLIC_HOST:$HTTP_PORT/news?x=1"
    expect "client: http answers 301 to https://$PUBLIC_HTTPS/news?x=1" \
        "$([ "$code" = 301 ] && [ "$(visitor_header Location)" = "https://$PUBLIC_HTTPS/news?x=1" ]; echo $?)" \
        "status $code, Location $(visitor_header Location)"
    as_visitor "$client" --http2 -H 'Accept-Encoding: gzip' -w '%{http_code} %{http_version}' "$site/"
    local version=${code#* }
    code=${code%% *}
    expect "client: https answers 200 over HTTP/2 (HTTP/$version)" \
        "$([ "$code" = 200 ] && [ "$version" = 2 ]; echo $?)" "status $code"
    expect "client: the HTML is compressed (Content-Encoding: $(visitor_header Content-Encoding))" \
        "$([ "$(visitor_header Content-Encoding)" = gzip ]; echo $?)" "not gzip"
    if [ -n "$HSTS" ]; then
        expect "client: https sends HSTS ($(visitor_header Strict-Transport-Security))" \
            "$([[ "$(visitor_header Strict-Transport-Security)" =~ max-age=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge 15768000 ]; echo $?)" \
            "no HSTS of at least six months"
    else
        expect "client: no HSTS for a public host that is an address or localhost" \
            "$([ -z "$(visitor_header Strict-Transport-Security)" ]; echo $?)" "HSTS sent"
    fi

    # TLS as a scanner sees it: protocols and cipher suites.
    local scan
    scan=$(netns_exec "$client" sslscan --no-colour --sni-name="$PUBLIC_HOST" "$PUBLIC_HOST:$HTTPS_PORT" 2>&1)
    printf '%s\n' "$scan" > "$work/sslscan.txt"
    local protocols accepted bad=""
    protocols=$(awk '/^ *(SSL|TLS)v[0-9.]+ +(enabled|disabled)$/ { print $1 "=" $2 }' <<< "$scan" | tr '\n' ' ')
    accepted=$(awk '/^(Preferred|Accepted) / { print $5 }' <<< "$scan" | sort -u)
    for c in $accepted; do
        grep -qw -- "$c" <<< "$ACCEPTANCE_CIPHERS" || bad="$bad $c"
    done
    expect "client: sslscan: TLS 1.2 and 1.3 only ($protocols)" \
        "$([[ "$protocols" == *"TLSv1.2=enabled"* && "$protocols" == *"TLSv1.3=enabled"* ]] &&
            ! grep -qE '(SSLv2|SSLv3|TLSv1\.0|TLSv1\.1)=enabled' <<< "$protocols"; echo $?)" "see $work/sslscan.txt"
    expect "client: sslscan: only the intermediate profile's ciphers ($(echo $accepted))" \
        "$([ -n "$accepted" ] && [ -z "$bad" ]; echo $?)" "also:$bad"

    # Another name is refused: no answer over http, no handshake over https.
    netns_exec "$client" curl -s --max-time 10 -o /dev/null -H "Host: other.example" "http://$PUBLIC_HOST:$HTTP_PORT/"
    local http_other=$?
    netns_exec "$client" curl -s --insecure --max-time 10 -o /dev/null \
        --resolve "other.example:$HTTPS_PORT:$ACCEPTANCE_WEB" \
        "https://other.example:$HTTPS_PORT/" 2>/dev/null
    local https_other=$?
    if [ "$PUBLIC_HOST" != localhost ] && ! [[ $PUBLIC_HOST =~ ^[0-9.:]+$ ]]; then
        expect "client: another host name gets no answer (curl: http $http_other, https $https_other)" \
            "$([ "$http_other" = 52 ] && [ "$https_other" != 0 ]; echo $?)" "answered"
    fi

    # Methods and paths the public never gets.
    local method
    for method in PURGE BAN; do
        as_visitor "$client" -X "$method" "$site/"
        expect "client: $method is refused (405)" "$([ "$code" = 405 ]; echo $?)" "status $code"
    done
    local path
    for path in /manage_main /acl_users/manage_users "/VirtualHostBase/http/evil:80/$SITE_ID/VirtualHostRoot/"; do
        as_visitor "$client" -u "$auth" "$site$path"
        expect "client: $path is refused, even with the admin's password (403)" "$([ "$code" = 403 ]; echo $?)" "status $code"
    done

    # Caching: a published page is a HIT on its second anonymous request; an edit through
    # the site purges it at once; a logged-in request never comes from the cache.
    local doc="acceptance-$$-$RANDOM"
    as_visitor "$client" -u "$auth" -X POST -H 'Accept: application/json' -H 'Content-Type: application/json' \
        -d "{\"@type\": \"Document\", \"id\": \"$doc\", \"title\": \"First title\"}" "$site/"
    expect "client: an editor creates a page through the site (201)" "$([ "$code" = 201 ]; echo $?)" "status $code: $(head -c 300 "$work/visitor.body")"
    as_visitor "$client" -u "$auth" -X POST -H 'Accept: application/json' "$site/$doc/@workflow/publish"
    expect "client: the editor publishes it (200)" "$([ "$code" = 200 ]; echo $?)" "status $code"
    as_visitor "$client" "$site/$doc"
    local first_cache
    first_cache=$(visitor_header X-Cache)
    as_visitor "$client" "$site/$doc"
    expect "client: an anonymous page is a HIT on its second request ($first_cache, then $(visitor_header X-Cache); Cache-Control: $(visitor_header Cache-Control))" \
        "$([ "$code" = 200 ] && [ "$(visitor_header X-Cache)" = HIT ]; echo $?)" "status $code"
    local t0=$EPOCHREALTIME
    as_visitor "$client" -u "$auth" -X PATCH -H 'Accept: application/json' -H 'Content-Type: application/json' \
        -d '{"title": "Second title"}' "$site/$doc"
    expect "client: the editor changes its title (204)" "$([ "$code" = 204 ]; echo $?)" "status $code"
    as_visitor "$client" "$site/$doc"
    expect "client: the next anonymous request shows the change at once (title '$(visitor_title)', X-Cache $(visitor_header X-Cache), $(seconds_since "$t0")s after the edit)" \
        "$([[ "$(visitor_title)" == *"Second title"* ]]; echo $?)" "stale page"
    local cookie
    for cookie in "__ac=someone" "auth_token=some.jwt.token" "_ZopeId=12345"; do
        as_visitor "$client" -H "Cookie: $cookie" "$site/$doc"
        as_visitor "$client" -H "Cookie: $cookie" "$site/$doc"
        expect "client: with the cookie ${cookie%%=*} the page never comes from the cache (X-Cache $(visitor_header X-Cache))" \
            "$([ "$(visitor_header X-Cache)" = MISS ]; echo $?)" "served from the cache"
    done
    as_visitor "$client" -u "$auth" "$site/$doc"
    as_visitor "$client" -u "$auth" "$site/$doc"
    expect "client: with a password the page never comes from the cache (X-Cache $(visitor_header X-Cache))" \
        "$([ "$(visitor_header X-Cache)" = MISS ]; echo $?)" "served from the cache"
}

# acceptance_upload CLIENT MEGABYTES: a file of that size uploads through https (as
# plone.restapi's base64 JSON) and reads back byte for byte.
acceptance_upload() {
    local client=$1 mb=$2 site="https://$PUBLIC_HTTPS" auth="$ZOPE_ADMIN_USER:$ZOPE_ADMIN_PASSWORD"
    local id="upload-$$-$RANDOM" t0 sum back
    head -c "$((mb * 1024 * 1024))" /dev/urandom > "$work/upload.bin"
    sum=$(sha256sum "$work/upload.bin" | cut -d' ' -f1)
    $ACCEPTANCE_PY "$(dirname "${BASH_SOURCE[0]}")/file_json.py" "$work/upload.bin" "$id" Upload > "$work/upload.json"
    t0=$EPOCHREALTIME
    as_visitor "$client" -u "$auth" -X POST -H 'Accept: application/json' -H 'Content-Type: application/json' \
        --max-time 300 --data-binary "@$work/upload.json" "$site/"
    expect "client: a $mb MB file uploads through https ($(stat -c %s "$work/upload.json") bytes of JSON in $(seconds_since "$t0")s)" \
        "$([ "$code" = 201 ]; echo $?)" "status $code: $(head -c 300 "$work/visitor.body")"
    t0=$EPOCHREALTIME
    as_visitor "$client" -u "$auth" --max-time 300 "$site/$id/@@download/file"
    back=$(sha256sum "$work/visitor.body" | cut -d' ' -f1)
    expect "client: Plone stored it: the download has the same sha256 ($(seconds_since "$t0")s)" \
        "$([ "$code" = 200 ] && [ "$back" = "$sum" ]; echo $?)" "status $code, sha256 $back, want $sum"
    rm -f "$work/upload.bin" "$work/upload.json" "$work/visitor.body"
}

# h2load_counts FILE: "total done succeeded failed errored timeout 2xx" from h2load's output.
h2load_counts() {
    awk '/^requests:/ { t = $2; d = $6; s = $8; f = $10; e = $12; to = $14 }
         /^status codes:/ { x = $3 }
         END { print t + 0, d + 0, s + 0, f + 0, e + 0, to + 0, x + 0 }' "$1"
}

# acceptance_load CLIENT CSV-FUNCTION: 1,000 keep-alive connections at once on a cached
# page, then 200 requests at once that Varnish cannot answer (each reaches Zope); every
# request answered 2xx, and HAProxy marked no instance DOWN meanwhile (CSV-FUNCTION prints
# HAProxy's statistics as CSV).
acceptance_load() {
    local client=$1 csv=$2 site="https://$PUBLIC_HTTPS" before after t0 counts
    chkdown() { "$csv" | awk -F, 'NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) c[$i] = i; next }
        $1 == "instances" && $2 != "BACKEND" { n += $c["chkdown"] } END { print n + 0 }'; }
    before=$(chkdown)
    # Warm the page into the cache, then 1,000 connections, two requests each.
    as_visitor "$client" "$site/?load=cached"
    as_visitor "$client" "$site/?load=cached"
    t0=$EPOCHREALTIME
    netns_exec "$client" bash -c 'ulimit -n 16384; exec h2load --h1 -t 2 -c 1000 -n 2000 -T 60 -N 60 "$1"' \
        h2load "$site/?load=cached" > "$work/h2load-1000.txt" 2>&1
    read -r -a counts < <(h2load_counts "$work/h2load-1000.txt")
    log "h2load, 1,000 connections: $(grep -E '^(finished in|requests:|status codes:)' "$work/h2load-1000.txt" | tr '\n' ' ')"
    expect "client: 1,000 concurrent keep-alive connections, 2,000 requests: ${counts[6]} answered 2xx, ${counts[3]} failed, ${counts[4]} errored, ${counts[5]} timed out ($(seconds_since "$t0")s)" \
        "$([ "${counts[0]}" = 2000 ] && [ "${counts[6]}" = 2000 ] && [ "${counts[3]}" = 0 ] && [ "${counts[4]}" = 0 ] && [ "${counts[5]}" = 0 ]; echo $?)" \
        "see $work/h2load-1000.txt"
    # 200 at once, each URL new to Varnish: every one is rendered by an instance.
    local i
    for i in $(seq 1 400); do echo "$site/?load=$$-$i"; done > "$work/load-urls.txt"
    t0=$EPOCHREALTIME
    netns_exec "$client" bash -c 'ulimit -n 16384; exec h2load --h1 -t 2 -c 200 -n 400 -T 120 -N 120 -i "$1"' \
        h2load "$work/load-urls.txt" > "$work/h2load-200.txt" 2>&1
    read -r -a counts < <(h2load_counts "$work/h2load-200.txt")
    log "h2load, 200 at once: $(grep -E '^(finished in|requests:|status codes:|time for request:)' "$work/h2load-200.txt" | tr '\n' ' ')"
    expect "client: 200 concurrent requests that reach Zope, 400 in all: ${counts[6]} answered 2xx, ${counts[3]} failed, ${counts[4]} errored, ${counts[5]} timed out ($(seconds_since "$t0")s)" \
        "$([ "${counts[0]}" = 400 ] && [ "${counts[6]}" = 400 ] && [ "${counts[3]}" = 0 ] && [ "${counts[4]}" = 0 ] && [ "${counts[5]}" = 0 ]; echo $?)" \
        "see $work/h2load-200.txt"
    after=$(chkdown)
    expect "HAProxy marked no instance DOWN under the load (chkdown $before -> $after)" \
        "$([ -n "$before" ] && [ "$before" = "$after" ]; echo $?)" "an instance went DOWN"
}

# port_answers FROM ADDR PORT: a TCP connection from FROM's namespace to ADDR:PORT is
# accepted within a second (a firewall that drops leaves it unanswered; an open port on
# the bridge answers in milliseconds).
port_answers() {
    netns_exec "$1" timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2"' port_answers "$2" "$3" 2>/dev/null
}

# acceptance_ports CLIENT ADDR "OPEN-PORTS" "CLOSED-PORTS": from the client, what the design
# opens to the public answers, and nothing else does.
acceptance_ports() {
    local client=$1 addr=$2 open=$3 closed=$4 p answering="" silent=""
    for p in $open; do port_answers "$client" "$addr" "$p" || silent="$silent $p"; done
    for p in $closed; do port_answers "$client" "$addr" "$p" && answering="$answering $p"; done
    expect "client: $addr answers on its public ports ($open)" "$([ -z "$silent" ]; echo $?)" "closed:$silent"
    expect "client: $addr refuses every other port of the design ($closed)" "$([ -z "$answering" ]; echo $?)" "open:$answering"
}

# acceptance_secrets RUN DIR PASSWORD...: no file of the installed bundle in DIR (its
# Python environment aside) that holds one of the passwords is readable by other users.
# RUN runs a command on the machine (the suite's own, e.g. on_server).
acceptance_secrets() {
    local run=$1 dir=$2
    shift 2
    local patterns=() p readable holding
    for p in "$@"; do [ -n "$p" ] && patterns+=(-e "$p"); done
    holding=$("$run" find "$dir" -path "$dir/venv" -prune -o -type f -exec grep -lF "${patterns[@]}" {} + 2>/dev/null | wc -l)
    readable=$("$run" find "$dir" -path "$dir/venv" -prune -o -type f -perm -o=r -exec grep -lF "${patterns[@]}" {} + 2>/dev/null)
    expect "no file holding a password is readable by other users ($holding files hold one)" \
        "$([ "$holding" -gt 0 ] && [ -z "$readable" ]; echo $?)" "readable: $(echo $readable)"
}

# acceptance_users RUN "COMMAND=USER...": each daemon's processes run as the user the design
# gives it (the master of nginx as root, its workers as their user), and no two daemons share one.
acceptance_users() {
    local run=$1 pair command user seen="" bad="" ps_out
    ps_out=$("$run" ps -eo user:32=,args=)
    for pair in $2; do
        command=${pair%%=*}
        user=${pair#*=}
        if ! awk -v c="$command" -v u="$user" '$1 == u && index($0, c) { found = 1 } END { exit !found }' <<< "$ps_out"; then
            bad="$bad $command not as $user;"
        fi
        [[ " $seen " == *" $user "* ]] && bad="$bad $user runs two daemons;"
        seen="$seen $user"
    done
    expect "each daemon runs as its own user ($2)" "$([ -z "$bad" ]; echo $?)" "$bad"
}
