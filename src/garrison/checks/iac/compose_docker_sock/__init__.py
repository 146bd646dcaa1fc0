"""Check compose_docker_sock."""
