// Package cluster tests cognitod scaled out: several cognitod processes,
// started together on one fresh PostgreSQL database, driven at once through
// the AWS SDKs (cluster_test.go), and measures their throughput with one
// node and with three (bench_test.go; docs/SCALING.md has the numbers).
//
// The tests need PostgreSQL: set COGNITOD_TEST_POSTGRES (see
// internal/store/postgres/pgtest), or run .ci/run, which sets it up.
package cluster
