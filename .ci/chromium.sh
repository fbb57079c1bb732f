# shellcheck shell=bash
# Chromium for the web console's browser tests (console/browser_test.go).
# Source this file, then:
#
#   chromium_install   # installs Debian's chromium when no Chromium or
#                      # Chrome is on the PATH, checks that it starts
#                      # headless, and exports VIGIE_CHROMIUM (its path)
#
# Typical use in .ci/run:
#
#   source .ci/chromium.sh && chromium_install
#   export VIGIE_REQUIRE_SERVERS="${VIGIE_REQUIRE_SERVERS:+$VIGIE_REQUIRE_SERVERS,}chromium"
#   export VIGIE_TEST_ARTIFACTS="$root/test-artifacts"   # screenshots
#
# The tests start the browser themselves (headless, --no-sandbox,
# --disable-gpu, no network of its own, a fresh profile); they skip
# without Chromium unless VIGIE_REQUIRE_SERVERS contains "chromium".

# chromium__find prints the path of the first Chromium or Chrome found.
chromium__find() {
	local name
	for name in ${VIGIE_CHROMIUM:-} chromium chromium-browser google-chrome google-chrome-stable headless_shell; do
		if command -v "$name" >/dev/null 2>&1; then
			command -v "$name"
			return 0
		fi
	done
	return 1
}

chromium_install() {
	local path version
	if ! path=$(chromium__find); then
		echo "chromium_install: installing chromium with apt-get" >&2
		if [ "$(id -u)" != 0 ]; then
			echo "chromium_install: no Chromium found and only root can install it" >&2
			return 1
		fi
		apt-get update -qq >&2 &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2 || {
			echo "chromium_install: apt-get install chromium failed" >&2
			return 1
		}
		path=$(chromium__find) || {
			echo "chromium_install: no chromium on the PATH after installing it" >&2
			return 1
		}
	fi
	if ! version=$(timeout 60 "$path" --headless --no-sandbox --disable-gpu --version 2>/dev/null); then
		echo "chromium_install: $path does not start" >&2
		return 1
	fi
	export VIGIE_CHROMIUM="$path"
	echo "chromium_install: $version ($path)" >&2
}
