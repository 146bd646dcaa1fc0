"""Infrastructure-as-code checks: Dockerfiles, Compose files, Kubernetes manifests."""
