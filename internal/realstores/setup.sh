#!/usr/bin/env bash
# Installs a real store for Kairo's connector tests into a cache outside the
# repository, once: later runs find it ready and return at once.
#
#   setup.sh vendure    Vendure 3.7.3 on sql.js, seeded with 54 products
#                       (npm install ~15-35 s, seeding ~15-40 s)
#   setup.sh evershop   EverShop 2.2.1, built, with a seeded Postgres data
#                       directory to copy (npm install ~30-90 s, build ~45-120 s)
#
# The cache is $KAIRO_STORES_CACHE (default /tmp/kairo-stores). Needs node
# and npm (and for EverShop, Postgres 15 under /usr/lib/postgresql/15/bin);
# the npm installs need the network.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${KAIRO_STORES_CACHE:-/tmp/kairo-stores}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
ts() { echo "[$(date +%T)] $*" >&2; }

# fingerprint names what a ready install was made from: a change to the
# files beside this script makes it again.
fingerprint() { cat "$HERE/setup.sh" "$@" | sha256sum | cut -c1-16; }

# aspostgres runs a Postgres program as the postgres user when root (initdb
# and postgres refuse to run as root).
aspostgres() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

vendure() {
	local dir=$CACHE/vendure-3.7.3 want
	want=$(fingerprint "$HERE/vendure/server.js")
	if [ -f "$dir/.ready" ] && [ "$(cat "$dir/.ready")" = "$want" ]; then return 0; fi
	mkdir -p "$dir"
	cd "$dir"
	if [ ! -d node_modules/@vendure/core ]; then
		ts "vendure: npm install"
		[ -f package.json ] || npm init -y >/dev/null
		npm install --no-audit --no-fund --loglevel=error @vendure/core@3.7.3 sql.js @vendure/create@3.7.3 >&2
	fi
	cp "$HERE/vendure/server.js" server.js
	ts "vendure: seeding"
	rm -f seed.sqlite
	VENDURE_DISABLE_TELEMETRY=true node server.js seed "$dir/seed.sqlite.tmp" >seed.log 2>&1 || { tail -20 seed.log >&2; exit 1; }
	mv seed.sqlite.tmp seed.sqlite
	echo "$want" >.ready
	ts "vendure: ready in $dir"
}

evershop() {
	local dir=$CACHE/evershop-2.2.1 want
	want=$(fingerprint "$HERE/evershop/loopback.cjs")
	if [ -f "$dir/.ready" ] && [ "$(cat "$dir/.ready")" = "$want" ]; then return 0; fi
	[ -x "$PGBIN/initdb" ] || { echo "setup.sh: no Postgres under $PGBIN (apt-get install postgresql)" >&2; exit 1; }
	mkdir -p "$dir"
	cd "$dir"
	if [ ! -d node_modules/@evershop/evershop ]; then
		ts "evershop: npm install"
		[ -f package.json ] || npm init -y >/dev/null
		npm pkg set type=module # without it the build fails
		npm install --no-audit --no-fund --loglevel=error @evershop/evershop@2.2.1 concat-stream >&2
	fi
	cat >.env <<-ENV
		JWT_ADMIN_SECRET="kairo-test-admin-secret-0123456789"
		JWT_ADMIN_REFRESH_SECRET="kairo-test-admin-refresh-0123456789"
		JWT_CUSTOMER_SECRET="kairo-test-customer-secret-0123456789"
		JWT_CUSTOMER_REFRESH_SECRET="kairo-test-customer-refresh-0123456789"
	ENV
	if [ ! -d .evershop/build ]; then
		ts "evershop: build"
		npx evershop build >build.log 2>&1 || { tail -30 build.log >&2; exit 1; }
	fi

	ts "evershop: a seeded Postgres data directory"
	local pg=$dir/pgtemplate port=$((5590 + RANDOM % 9))
	rm -rf "$pg" "$pg.tmp"
	mkdir -p "$pg.tmp"
	chown postgres "$pg.tmp" 2>/dev/null || true
	aspostgres "$PGBIN/initdb" -D "$pg.tmp/data" -A trust -U postgres -E UTF8 >/dev/null
	aspostgres "$PGBIN/pg_ctl" -D "$pg.tmp/data" -l "$pg.tmp/log" -w \
		-o "-p $port -k $pg.tmp -c listen_addresses=127.0.0.1" start >/dev/null
	trap 'aspostgres "$PGBIN/pg_ctl" -D "$pg.tmp/data" -m fast stop >/dev/null 2>&1 || true' EXIT
	"$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres evershop
	# install asks for the database host; everything else comes from the
	# environment. It writes the database settings into .env, which the
	# tests give in the environment instead.
	cp .env .env.keep
	printf '127.0.0.1\n' | env -u DB_HOST DB_PORT=$port DB_NAME=evershop DB_USER=postgres DB_PASSWORD=postgres \
		ADMIN_FULLNAME=Admin ADMIN_EMAIL=admin@example.com ADMIN_PASSWORD=Admin12345 \
		npx evershop install >install.log 2>&1 || { tail -20 install.log >&2; exit 1; }
	mv .env.keep .env
	DB_HOST=127.0.0.1 DB_PORT=$port DB_NAME=evershop DB_USER=postgres DB_PASSWORD=postgres \
		npx evershop seed --all >seed.log 2>&1 || { tail -20 seed.log >&2; exit 1; }
	aspostgres "$PGBIN/pg_ctl" -D "$pg.tmp/data" -m fast -w stop >/dev/null
	trap - EXIT
	mv "$pg.tmp" "$pg"
	cp "$HERE/evershop/loopback.cjs" loopback.cjs
	echo "$want" >.ready
	ts "evershop: ready in $dir"
}

case "${1:-}" in
vendure) vendure ;;
evershop) evershop ;;
*) echo "usage: setup.sh vendure|evershop" >&2; exit 2 ;;
esac
