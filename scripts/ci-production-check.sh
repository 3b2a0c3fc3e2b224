#!/usr/bin/env bash
# Production configuration check: the app as it would run in production, end to end.
#
# DEBUG=false with a random SECRET_KEY on a scratch PostgreSQL database:
#   check --deploy (warnings fail), migrate, collectstatic, demo, gunicorn with 2 workers,
#   /healthz, a real sign-in through the form (CSRF, secure cookies, HTTPS via the proxy
#   header), and the arrangements page showing the demo arrangement.
# Exits non-zero on the first failure; always stops gunicorn and drops the database.
#
# Needs: `make install` done (venv and static assets), PostgreSQL 15 on 127.0.0.1:5432 with
# user postgres (started here if down, as .ci/run does), curl.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="$PWD/.venv/bin"
DEMO_EMAIL="helen.carter@northshire.example"
DEMO_PASSWORD="partnering-demo"
DEMO_TITLE="Northshire digital citizen services partnership"

say() { printf '== [%3ss] %s\n' "$SECONDS" "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

# --- scratch space: collectstatic writes to STATIC_ROOT, and PARTNERING_HOME keeps the rest of
# var/ (media) out of the checkout.
work="$(mktemp -d "${TMPDIR:-/tmp}/partnering-prodcheck.XXXXXX")"
mkdir -p "$work/var"
db="partnering_prodcheck_$$"
pidfile="$work/gunicorn.pid"

cleanup() {
  status=$?
  if [[ -s "$pidfile" ]]; then
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if [[ $status -ne 0 && -s "$work/gunicorn.log" ]]; then
    echo "--- gunicorn log (last 40 lines) ---" >&2
    tail -n 40 "$work/gunicorn.log" >&2
  fi
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${db}" >/dev/null 2>&1 || true
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT

# --- PostgreSQL ---------------------------------------------------------------------
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE ${db}" >/dev/null

export DEBUG=false
SECRET_KEY="$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${db}"
export PARTNERING_HOME="$work"
export STATIC_ROOT="$work/static"
export LOG_LEVEL=WARNING
# No EMAIL_BACKEND: as in production with DEBUG off, SMTP, with no mail server here. The demo
# keeps its e-mails to itself (`partnering demo` without --send-email), so it must still pass.
unset PARTNERING_TESTING DJANGO_SETTINGS_MODULE EMAIL_BACKEND || true

say "check --deploy"
"$BIN/partnering" check --deploy --fail-level WARNING

say "migrate"
"$BIN/partnering" migrate --noinput >/dev/null

say "collectstatic (into STATIC_ROOT=$STATIC_ROOT)"
"$BIN/partnering" collectstatic --noinput >/dev/null
[[ -f "$STATIC_ROOT/staticfiles.json" ]] || fail "collectstatic wrote no manifest in STATIC_ROOT"

say "demo"
"$BIN/partnering" demo >/dev/null

# --- gunicorn ------------------------------------------------------------------------
port="$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
origin="https://127.0.0.1:${port}"
url="http://127.0.0.1:${port}"
say "gunicorn on $url"
"$BIN/gunicorn" partnering.wsgi:application \
  --workers 2 --bind "127.0.0.1:${port}" --pid "$pidfile" --daemon \
  --error-logfile "$work/gunicorn.log" --capture-output
for _ in $(seq 1 100); do
  curl -s -o /dev/null "$url/healthz" && break
  sleep 0.1
done

# The reverse proxy terminates TLS and says so (SECURE_PROXY_SSL_HEADER).
proxy=(-H "X-Forwarded-Proto: https")

say "/healthz"
health="$(curl -sS --fail "${proxy[@]}" "$url/healthz")" || fail "/healthz did not answer 200"
"$BIN/python" -c '
import json, sys
body = json.loads(sys.argv[1])
assert body.get("status") == "ok" and body.get("database") == "ok", body
' "$health" || fail "/healthz answered $health"

# Secure cookies are set for HTTPS only; curl would keep them out of a plain-HTTP jar,
# so they are read from the Set-Cookie headers and sent back explicitly.
cookie() { sed -n "s/^[Ss]et-[Cc]ookie: $1=\([^;]*\).*/\1/p" "$2" | tail -n 1; }

say "sign in as $DEMO_EMAIL"
curl -sS --fail "${proxy[@]}" -D "$work/h1" -o "$work/sign-in.html" "$url/accounts/sign-in/" \
  || fail "the sign-in page did not answer 200"
csrf_cookie="$(cookie csrftoken "$work/h1")"
csrf_form="$(sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' "$work/sign-in.html" | head -n 1)"
[[ -n "$csrf_cookie" && -n "$csrf_form" ]] || fail "no CSRF cookie or token on the sign-in page"
grep -qi "secure" <(grep -i "^set-cookie: csrftoken" "$work/h1") || fail "the CSRF cookie is not Secure"

code="$(curl -sS "${proxy[@]}" -D "$work/h2" -o /dev/null -w '%{http_code}' \
  -H "Referer: ${origin}/accounts/sign-in/" \
  -b "csrftoken=${csrf_cookie}" \
  --data-urlencode "csrfmiddlewaretoken=${csrf_form}" \
  --data-urlencode "username=${DEMO_EMAIL}" \
  --data-urlencode "password=${DEMO_PASSWORD}" \
  "$url/accounts/sign-in/")"
[[ "$code" == "302" ]] || fail "signing in answered $code, not a redirect"
session="$(cookie sessionid "$work/h2")"
[[ -n "$session" ]] || fail "signing in set no session cookie"
grep -i "^set-cookie: sessionid" "$work/h2" | grep -qi "secure" || fail "the session cookie is not Secure"
grep -i "^set-cookie: sessionid" "$work/h2" | grep -qi "httponly" || fail "the session cookie is not HttpOnly"

say "/arrangements/"
code="$(curl -sS "${proxy[@]}" -D "$work/h3" -o "$work/arrangements.html" -w '%{http_code}' \
  -b "sessionid=${session}; csrftoken=${csrf_cookie}" "$url/arrangements/")"
[[ "$code" == "200" ]] || fail "/arrangements/ answered $code"
grep -q "$DEMO_TITLE" "$work/arrangements.html" || fail "/arrangements/ does not show \"$DEMO_TITLE\""
grep -qi "^strict-transport-security:" "$work/h3" || fail "no Strict-Transport-Security header"
grep -i "^content-security-policy:" "$work/h3" | grep -q "script-src 'self'" || fail "no CSP script-src 'self'"

say "a plain-HTTP request is redirected to HTTPS"
code="$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "$url/arrangements/")"
[[ "$code" == "301 https://"* ]] || fail "plain HTTP answered $code"

say "production check passed"
