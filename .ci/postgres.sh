# shellcheck shell=bash
# A throw-away PostgreSQL server for Vigie's tests. Source this file, then:
#
#   pg_start   # installs Debian's postgresql if initdb is missing, starts a
#              # server on 127.0.0.1 on a free port in a temporary directory,
#              # creates user vigie (password "password") and the databases
#              # vigie_test and mattermost, and exports:
#              #   VIGIE_TEST_POSTGRES_DSN      postgres://vigie:password@127.0.0.1:PORT/vigie_test?sslmode=disable
#              #   VIGIE_TEST_MATTERMOST_DSN    the same for the database mattermost
#              #   VIGIE_PG_PORT, VIGIE_PG_DIR  the port and the temporary directory
#   pg_stop    # stops the server and removes the temporary directory
#
# Typical use in .ci/run:  source .ci/postgres.sh && pg_start && trap pg_stop EXIT
#
# The server is for tests only: fsync is off. As root, the server runs as
# the postgres user (PostgreSQL refuses to run as root).

# pg__bindir prints the directory of the newest installed PostgreSQL's
# binaries (initdb, pg_ctl, postgres).
pg__bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -n "$d" ] && [ -x "$d/initdb" ]; then
		printf '%s\n' "$d"
		return 0
	fi
	d=$(command -v initdb 2>/dev/null) || return 1
	dirname "$(readlink -f "$d")"
}

# pg__as runs a command as the user that owns the server.
pg__as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# pg__fail reports why pg_start failed, cleans up, and fails.
pg__fail() {
	echo "pg_start: $*" >&2
	pg_stop
	return 1
}

# pg__port_free succeeds when nothing listens on 127.0.0.1:$1.
pg__port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pg_start() {
	local bindir port tries=0 sql
	if [ -n "${VIGIE_PG_DIR:-}" ] && [ -d "$VIGIE_PG_DIR" ]; then
		echo "pg_start: already running in $VIGIE_PG_DIR" >&2
		return 0
	fi
	if ! bindir=$(pg__bindir); then
		echo "pg_start: installing postgresql with apt-get" >&2
		if [ "$(id -u)" != 0 ]; then
			echo "pg_start: initdb is missing and only root can install postgresql" >&2
			return 1
		fi
		apt-get update -qq >&2 &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2 || {
			echo "pg_start: apt-get install postgresql failed" >&2
			return 1
		}
		bindir=$(pg__bindir) || {
			echo "pg_start: no initdb after installing postgresql" >&2
			return 1
		}
	fi

	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || {
			echo "pg_start: there is no postgres user to run the server as" >&2
			return 1
		}
		# Under /tmp, which the postgres user can reach whatever TMPDIR is.
		VIGIE_PG_DIR=$(mktemp -d /tmp/vigie-pg.XXXXXX) || return 1
	else
		VIGIE_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vigie-pg.XXXXXX") || return 1
	fi
	export VIGIE_PG_DIR
	mkdir -p "$VIGIE_PG_DIR/sock"
	if [ "$(id -u)" = 0 ]; then chown -R postgres: "$VIGIE_PG_DIR"; fi
	if ! pg__as "$bindir/initdb" -D "$VIGIE_PG_DIR/data" -U postgres -E UTF8 --locale=C.UTF-8 \
		--auth-local=trust --auth-host=scram-sha-256 >"$VIGIE_PG_DIR/initdb.log" 2>&1; then
		tail -n 20 "$VIGIE_PG_DIR/initdb.log" >&2
		pg__fail "initdb failed"
		return 1
	fi

	# A free port: try random ones; pg_ctl fails if another process takes
	# it in between, and the loop tries again.
	while :; do
		tries=$((tries + 1))
		if [ "$tries" -gt 20 ]; then
			tail -n 20 "$VIGIE_PG_DIR/server.log" >&2 2>/dev/null
			pg__fail "the server did not start"
			return 1
		fi
		port=$((20000 + RANDOM % 40000))
		pg__port_free "$port" || continue
		if pg__as "$bindir/pg_ctl" -D "$VIGIE_PG_DIR/data" -l "$VIGIE_PG_DIR/server.log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -p $port -k $VIGIE_PG_DIR/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
			start >/dev/null; then
			break
		fi
	done
	export VIGIE_PG_PORT=$port

	sql="CREATE ROLE vigie LOGIN PASSWORD 'password';
CREATE DATABASE vigie_test OWNER vigie;
CREATE DATABASE mattermost OWNER vigie;"
	if ! printf '%s\n' "$sql" | pg__as "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$VIGIE_PG_DIR/sock" -p "$port" -U postgres -d postgres >/dev/null; then
		pg__fail "creating the user and databases failed"
		return 1
	fi
	export VIGIE_TEST_POSTGRES_DSN="postgres://vigie:password@127.0.0.1:$port/vigie_test?sslmode=disable"
	export VIGIE_TEST_MATTERMOST_DSN="postgres://vigie:password@127.0.0.1:$port/mattermost?sslmode=disable&connect_timeout=10"
	echo "pg_start: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($VIGIE_PG_DIR)" >&2
}

pg_stop() {
	local bindir
	if [ -z "${VIGIE_PG_DIR:-}" ] || [ ! -d "$VIGIE_PG_DIR" ]; then
		return 0
	fi
	if bindir=$(pg__bindir) && [ -f "$VIGIE_PG_DIR/data/postmaster.pid" ]; then
		pg__as "$bindir/pg_ctl" -D "$VIGIE_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 ||
			echo "pg_stop: pg_ctl stop failed" >&2
	fi
	rm -rf "$VIGIE_PG_DIR"
	unset VIGIE_PG_DIR VIGIE_PG_PORT VIGIE_TEST_POSTGRES_DSN VIGIE_TEST_MATTERMOST_DSN
}
