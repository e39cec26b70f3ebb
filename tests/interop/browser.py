"""The system browser the Playwright tests drive (never Playwright's own download): Debian's `chromium`
on Linux, Google Chrome on macOS, where Homebrew's Chromium is unsigned. scripts/install-system-deps.sh
installs the one of this platform."""
import sys

if sys.platform == "darwin":
    CHROMIUM = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
    PACKAGE = "Homebrew cask `google-chrome`"
else:
    CHROMIUM = "/usr/bin/chromium"
    PACKAGE = "Debian package `chromium`"
