package hq

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	applied    prometheus.Counter
	duplicates prometheus.Counter
	integrity  prometheus.Counter
	rejections *prometheus.CounterVec
	lag        prometheus.Histogram
	waiting    prometheus.Gauge
	duration   *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) metrics {
	m := metrics{
		applied: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "anchang_hq_pushes_applied_total", Help: "Mutations applied from pushes."}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "anchang_hq_push_duplicates_total", Help: "Pushed mutations HQ already had (acknowledged, not applied)."}),
		integrity: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "anchang_hq_push_integrity_errors_total", Help: "Pushed mutations reusing a seq with another hash."}),
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anchang_hq_push_rejections_total", Help: "Pushed mutations rejected, by error code."}, []string{"code"}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "anchang_hq_pull_lag_changes", Help: "Changes between a pull's cursor and the scope's head, per scope pulled.",
			Buckets: []float64{0, 1, 10, 100, 1000, 10000, 100000}}),
		waiting: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "anchang_hq_pull_waiting", Help: "Pulls waiting for a change (long-poll)."}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "anchang_hq_request_duration_seconds", Help: "Request durations by route and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"route", "status"}),
	}
	reg.MustRegister(m.applied, m.duplicates, m.integrity, m.rejections, m.lag, m.waiting, m.duration)
	return m
}
