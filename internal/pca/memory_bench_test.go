package pca

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkTenHugeErrorAnswers: ten calls at once, each answered with a
// 10 MiB error body, as a hostile endpoint would. It reports the peak heap
// in use while they run (peak-heap-MiB); the client reads at most 64 KiB
// of each, so the peak stays far below the 10 x 10 MiB sent.
func BenchmarkTenHugeErrorAnswers(b *testing.B) {
	f := newFake(b)
	chunk := make([]byte, 64<<10)
	f.api = func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		for range 160 { // 10 MiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
	c := f.client(b)
	var peak atomic.Uint64
	stop := make(chan struct{})
	go sampleHeap(&peak, stop)
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.GetStore(context.Background(), 1); err == nil {
					b.Error("a 500 answer was taken for success")
				}
			}()
		}
		wg.Wait()
	}
	close(stop)
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}

// sampleHeap records the largest HeapInuse seen every millisecond until
// stop is closed.
func sampleHeap(peak *atomic.Uint64, stop <-chan struct{}) {
	var m runtime.MemStats
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
		}
	}
}
