package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// benchRecord records b.N incidents (each with one step) and reports
// incidents/s. parallel runs them from GOMAXPROCS goroutines.
func benchRecord(b *testing.B, s Store, parallel bool) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.Record(ctx, sampleIncident()); err != nil {
					b.Error(err)
					return
				}
			}
		})
	} else {
		for range b.N {
			if _, err := s.Record(ctx, sampleIncident()); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "incidents/s")
}

func BenchmarkRecordSQLite(b *testing.B) {
	s := openStore(b, filepath.Join(b.TempDir(), "bench.db"), nil)
	benchRecord(b, s, false)
}

func BenchmarkRecordSQLiteParallel(b *testing.B) {
	s := openStore(b, filepath.Join(b.TempDir(), "bench.db"), nil)
	benchRecord(b, s, true)
}

func BenchmarkRecordPostgres(b *testing.B) {
	if os.Getenv("VIGIE_TEST_POSTGRES_DSN") == "" {
		b.Skip(pgSkipMessage)
	}
	s := openStore(b, postgresSchemaDSN(b), nil)
	benchRecord(b, s, false)
}

func BenchmarkRecordPostgresParallel(b *testing.B) {
	if os.Getenv("VIGIE_TEST_POSTGRES_DSN") == "" {
		b.Skip(pgSkipMessage)
	}
	s := openStore(b, postgresSchemaDSN(b), nil)
	benchRecord(b, s, true)
}
