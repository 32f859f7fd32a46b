// Package deploy holds no code: it is the home of the deployment files
// (Dockerfile, Kubernetes manifests, Grafana dashboard, nats-server
// configuration) and of the test that checks them, and the repository's
// docker-compose.yml, against the monitor binary's flags and the metric
// names it exports. No Docker engine or cluster is needed to run it.
package deploy
