# shellcheck shell=bash
# A real Mattermost server (Team Edition 11.4, built from the Go module
# proxy by the separate module test/mattermost) for the end-to-end tests
# of adapters/mattermost. Source this file, then:
#
#   mm_build     # builds test/mattermost/bin/mattermost (5-7 min on 2 cores
#                # with empty caches, seconds when cached; its own GOCACHE,
#                # $VIGIE_MM_GOCACHE or ~/.cache/vigie-mm-gocache) and
#                # copies i18n/ and templates/ beside it
#   mm_start     # builds if needed, starts PostgreSQL (pg_start from
#                # .ci/postgres.sh, unless VIGIE_TEST_MATTERMOST_DSN is set)
#                # and Mattermost on 127.0.0.1 on a free port, waits until it
#                # answers, and exports:
#                #   VIGIE_TEST_MATTERMOST_URL      http://127.0.0.1:PORT
#                #   VIGIE_TEST_MATTERMOST_SOCKET   the local-mode socket (set-up, no login)
#                #   VIGIE_TEST_MATTERMOST_RESTART  a command that restarts the server
#                #   VIGIE_TEST_MATTERMOST_MARKER   a file the tests write
#                #                                  "MATTERMOST E2E RAN" to
#   mm_restart   # stops the server (SIGTERM) and starts it again, same data
#   mm_stop      # stops Mattermost, and PostgreSQL if mm_start started it
#   mm_assert_ran  # fails unless the end-to-end tests ran (marker file)
#
# Typical use in .ci/run:
#   source .ci/mattermost.sh && mm_start && trap 'mm_stop; pg_stop' EXIT
#   go test -race ./...
#   mm_assert_ran
#
# The state of a running server is kept in test/mattermost/run/state.env so
# that mm_restart and mm_stop work from another shell (the tests run
# VIGIE_TEST_MATTERMOST_RESTART in a new bash).

mm__root() {
	(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
}

# mm__module_dir prints the directory of the server module in the module
# cache (for i18n/ and templates/).
mm__module_dir() {
	(cd "$(mm__root)/test/mattermost" && go list -m -f '{{.Dir}}' github.com/mattermost/mattermost/server/v8)
}

mm_build() {
	local root bin gocache dir
	root=$(mm__root) || return 1
	bin=$root/test/mattermost/bin
	gocache=${VIGIE_MM_GOCACHE:-$HOME/.cache/vigie-mm-gocache}
	mkdir -p "$bin" "$gocache" || return 1
	echo "mm_build: building the Mattermost server (first build: several minutes)" >&2
	if ! (cd "$root/test/mattermost" && GOCACHE=$gocache GOFLAGS=-mod=readonly go build -trimpath -o bin/mattermost .); then
		echo "mm_build: go build failed" >&2
		return 1
	fi
	dir=$(mm__module_dir) || {
		echo "mm_build: the server module is not in the module cache" >&2
		return 1
	}
	rm -rf "$bin/i18n" "$bin/templates"
	cp -R "$dir/i18n" "$dir/templates" "$bin/" && chmod -R u+w "$bin/i18n" "$bin/templates" || {
		echo "mm_build: copying i18n/ and templates/ failed" >&2
		return 1
	}
	echo "mm_build: $bin/mattermost ($(du -h "$bin/mattermost" | cut -f1))" >&2
}

# mm__port_free succeeds when nothing listens on 127.0.0.1:$1.
mm__port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# mm__launch starts the server with the environment of state.env and
# waits until it answers /api/v4/system/ping.
mm__launch() {
	local root run tries=0
	root=$(mm__root) || return 1
	run=$root/test/mattermost/run
	# shellcheck disable=SC1091
	source "$run/state.env" || return 1
	(
		cd "$root/test/mattermost/bin" || exit 1
		export MM_SQLSETTINGS_DRIVERNAME=postgres
		export MM_SQLSETTINGS_DATASOURCE=$MM_DSN
		export MM_SERVICESETTINGS_LISTENADDRESS=127.0.0.1:$MM_PORT
		export MM_SERVICESETTINGS_SITEURL=http://127.0.0.1:$MM_PORT
		export MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION=true
		export MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS=true
		export MM_SERVICESETTINGS_ENABLELOCALMODE=true
		export MM_SERVICESETTINGS_LOCALMODESOCKETLOCATION=$run/mattermost.sock
		export MM_SERVICESETTINGS_ENABLESECURITYFIXALERT=false
		export MM_SERVICESETTINGS_ENABLECOMMANDS=true
		export MM_SERVICESETTINGS_ENABLEPOSTUSERNAMEOVERRIDE=false
		# Slash commands call the adapter's endpoint on 127.0.0.1.
		export MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS="127.0.0.1 localhost"
		# Nothing reaches the internet: no link previews, pushes, notices.
		export MM_SERVICESETTINGS_ENABLELINKPREVIEWS=false
		export MM_SERVICESETTINGS_ENABLEPERMALINKPREVIEWS=false
		export MM_EMAILSETTINGS_SENDPUSHNOTIFICATIONS=false
		export MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS=false
		export MM_ANNOUNCEMENTSETTINGS_ADMINNOTICESENABLED=false
		export MM_ANNOUNCEMENTSETTINGS_USERNOTICESENABLED=false
		export MM_LOGSETTINGS_ENABLEDIAGNOSTICS=false
		export MM_LOGSETTINGS_ENABLEFILE=false
		export MM_LOGSETTINGS_CONSOLELEVEL=INFO
		export MM_PLUGINSETTINGS_ENABLE=false
		export MM_PLUGINSETTINGS_ENABLEMARKETPLACE=false
		export MM_PLUGINSETTINGS_AUTOMATICPREPACKAGEDPLUGINS=false
		export MM_FILESETTINGS_DIRECTORY=$run/data/
		export MM_TEAMSETTINGS_ENABLEOPENSERVER=true
		export MM_TEAMSETTINGS_MAXUSERSPERTEAM=1000
		export MM_RATELIMITSETTINGS_ENABLE=false
		export MM_METRICSSETTINGS_ENABLE=false
		exec ./mattermost --config "$run/config.json" >>"$run/server.log" 2>&1
	) &
	echo $! >"$run/mattermost.pid"
	while :; do
		if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$MM_PORT/api/v4/system/ping" 2>/dev/null; then
			echo "mm_start: Mattermost answers on http://127.0.0.1:$MM_PORT" >&2
			return 0
		fi
		if ! kill -0 "$(cat "$run/mattermost.pid")" 2>/dev/null; then
			echo "mm_start: the server exited; last lines of $run/server.log:" >&2
			tail -n 30 "$run/server.log" >&2
			return 1
		fi
		tries=$((tries + 1))
		if [ "$tries" -gt 240 ]; then
			echo "mm_start: no answer after 120 s; last lines of $run/server.log:" >&2
			tail -n 30 "$run/server.log" >&2
			return 1
		fi
		sleep 0.5
	done
}

# mm__terminate stops the server process (SIGTERM, then SIGKILL after 30 s).
mm__terminate() {
	local run pid i
	run=$(mm__root)/test/mattermost/run
	[ -f "$run/mattermost.pid" ] || return 0
	pid=$(cat "$run/mattermost.pid")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		for i in $(seq 1 60); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.5
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "mm_stop: the server did not stop in 30 s; killing it" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
	fi
	rm -f "$run/mattermost.pid"
}

mm_start() {
	local root run port tries=0 started_pg=0
	root=$(mm__root) || return 1
	run=$root/test/mattermost/run
	if [ -f "$run/mattermost.pid" ] && kill -0 "$(cat "$run/mattermost.pid")" 2>/dev/null; then
		echo "mm_start: already running (pid $(cat "$run/mattermost.pid"))" >&2
		return 0
	fi
	if [ ! -x "$root/test/mattermost/bin/mattermost" ] || [ ! -d "$root/test/mattermost/bin/i18n" ]; then
		mm_build || return 1
	fi
	command -v curl >/dev/null || {
		echo "mm_start: curl is needed" >&2
		return 1
	}
	if [ -z "${VIGIE_TEST_MATTERMOST_DSN:-}" ]; then
		if ! declare -F pg_start >/dev/null; then
			# shellcheck source=.ci/postgres.sh
			source "$root/.ci/postgres.sh" || return 1
		fi
		pg_start || return 1
		started_pg=1
	fi
	while :; do
		tries=$((tries + 1))
		[ "$tries" -le 50 ] || {
			echo "mm_start: no free port" >&2
			return 1
		}
		port=$((20000 + RANDOM % 40000))
		mm__port_free "$port" && break
	done
	rm -rf "$run"
	mkdir -p "$run/data" || return 1
	{
		printf 'MM_PORT=%q\n' "$port"
		printf 'MM_DSN=%q\n' "$VIGIE_TEST_MATTERMOST_DSN"
		printf 'MM_STARTED_PG=%q\n' "$started_pg"
		printf 'MM_PG_DIR=%q\n' "${VIGIE_PG_DIR:-}"
	} >"$run/state.env"
	if ! mm__launch; then
		mm_stop
		return 1
	fi
	export VIGIE_TEST_MATTERMOST_URL=http://127.0.0.1:$port
	export VIGIE_TEST_MATTERMOST_SOCKET=$run/mattermost.sock
	export VIGIE_TEST_MATTERMOST_RESTART="bash -c 'source \"$root/.ci/mattermost.sh\" && mm_restart'"
	export VIGIE_TEST_MATTERMOST_MARKER=$run/e2e-ran
	rm -f "$VIGIE_TEST_MATTERMOST_MARKER"
}

mm_restart() {
	local run
	run=$(mm__root)/test/mattermost/run
	[ -f "$run/state.env" ] || {
		echo "mm_restart: no server started by mm_start" >&2
		return 1
	}
	mm__terminate
	mm__launch
}

mm_stop() {
	local run
	run=$(mm__root)/test/mattermost/run
	mm__terminate
	if [ -f "$run/state.env" ]; then
		# shellcheck disable=SC1091
		source "$run/state.env"
		if [ "${MM_STARTED_PG:-0}" = 1 ] && [ -n "${MM_PG_DIR:-}" ]; then
			if ! declare -F pg_stop >/dev/null; then
				# shellcheck source=.ci/postgres.sh
				source "$(mm__root)/.ci/postgres.sh"
			fi
			VIGIE_PG_DIR=$MM_PG_DIR pg_stop
		fi
		rm -f "$run/state.env"
	fi
	unset VIGIE_TEST_MATTERMOST_URL VIGIE_TEST_MATTERMOST_SOCKET VIGIE_TEST_MATTERMOST_RESTART
}

mm_assert_ran() {
	local marker=${VIGIE_TEST_MATTERMOST_MARKER:-$(mm__root)/test/mattermost/run/e2e-ran}
	if ! grep -q "MATTERMOST E2E RAN" "$marker" 2>/dev/null; then
		echo "mm_assert_ran: the Mattermost end-to-end tests did not run (skipped?)" >&2
		return 1
	fi
	echo "mm_assert_ran: $(grep -c "MATTERMOST E2E RAN" "$marker") Mattermost end-to-end test(s) ran" >&2
}
