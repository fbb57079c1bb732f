package discord

// Status reports whether the gateway session is up, for /readyz
// (bot.StatusReporter). The detail never holds the token.
func (a *Adapter) Status() (bool, string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.status == "" {
		return false, "not connected yet"
	}
	return a.connected, a.status
}

func (a *Adapter) setStatus(connected bool, detail string) {
	a.mu.Lock()
	a.connected, a.status = connected, detail
	a.mu.Unlock()
}
