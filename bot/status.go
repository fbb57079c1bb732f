package bot

// StatusReporter is implemented by adapters that can say whether they
// are connected to their platform. The HTTP API's /readyz reports it per
// adapter; an adapter that does not implement it is reported as
// "unknown" and does not make Vigie unready.
type StatusReporter interface {
	// Status reports whether the adapter is connected now, and a short
	// detail for operators ("connected as vigie#1234", "reconnecting
	// after 3 failures"). The detail must hold no secret.
	Status() (connected bool, detail string)
}
