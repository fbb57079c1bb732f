package links

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
)

// maxLineBytes bounds a line of a list file.
const maxLineBytes = 64 << 10

// ListError reports a problem in a domain list file.
type ListError struct {
	Name string // the list's name, usually its path
	Line int    // 1-based line number; 0 when the error is not about a line
	Msg  string
	Err  error // the underlying error, if any (a read error)
}

// Error returns "NAME:LINE: msg" (or "NAME: msg" without a line).
func (e *ListError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Name, e.Line, e.Msg)
	}
	return e.Name + ": " + e.Msg
}

// Unwrap returns the underlying error.
func (e *ListError) Unwrap() error { return e.Err }

// hostsLocalNames are the names every hosts file maps to the local
// machine; they are not domains to block.
var hostsLocalNames = map[string]bool{
	"localhost": true, "localhost.localdomain": true, "local": true, "broadcasthost": true,
	"ip6-localhost": true, "ip6-loopback": true, "ip6-localnet": true, "ip6-mcastprefix": true,
	"ip6-allnodes": true, "ip6-allrouters": true, "ip6-allhosts": true,
}

// ParseList reads a domain list file: format "ut1" (one domain per line,
// the UT1 blacklist "domains" files used by French school proxies; also
// accept lines that are URLs or have a leading "*." or "."), or "hosts"
// (hosts-file lines "0.0.0.0 example.com other.com", "127.0.0.1 …",
// ignore localhost entries). '#' comments and blank lines ignored.
// Domains are returned normalised (lower case, punycode decoded), in
// file order. Errors are *ListError{Name string; Line int; Msg string}
// with Error() "NAME:LINE: msg"; the first error stops the reading.
func ParseList(r io.Reader, format, name string) ([]string, error) {
	var parseLine func(line string, dst []string) ([]string, error)
	switch format {
	case "ut1":
		parseLine = ut1Line
	case "hosts":
		parseLine = hostsLine
	default:
		return nil, &ListError{Name: name, Msg: fmt.Sprintf("unknown list format %q (want ut1 or hosts)", format)}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLineBytes)
	var out []string
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		var err error
		if out, err = parseLine(line, out); err != nil {
			return nil, &ListError{Name: name, Line: n, Msg: err.Error(), Err: err}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &ListError{Name: name, Line: n + 1, Msg: fmt.Sprintf("line longer than %d bytes", maxLineBytes), Err: err}
		}
		return nil, &ListError{Name: name, Line: n + 1, Msg: "read: " + err.Error(), Err: err}
	}
	return out, nil
}

// ut1Line reads a line of a UT1 "domains" file.
func ut1Line(line string, dst []string) ([]string, error) {
	if i := strings.IndexAny(line, " \t"); i >= 0 {
		if _, err := netip.ParseAddr(line[:i]); err == nil {
			return dst, errors.New("hosts-file line in a ut1 list (use format hosts)")
		}
		return dst, fmt.Errorf("unexpected space in %q: one domain per line", line)
	}
	d, err := cleanDomain(line)
	if err != nil {
		return dst, err
	}
	return append(dst, d), nil
}

// hostsLine reads a line of a hosts file: an address and host names.
func hostsLine(line string, dst []string) ([]string, error) {
	fields := strings.Fields(line)
	if _, err := netip.ParseAddr(fields[0]); err != nil {
		return dst, fmt.Errorf("%q is not an IP address (hosts lines are \"ADDRESS NAME…\")", fields[0])
	}
	if len(fields) == 1 {
		return dst, fmt.Errorf("no host name after address %s", fields[0])
	}
	for _, name := range fields[1:] {
		if hostsLocalNames[strings.ToLower(name)] || isIP(name) {
			continue
		}
		d, err := cleanDomain(name)
		if err != nil {
			return dst, err
		}
		dst = append(dst, d)
	}
	return dst, nil
}
