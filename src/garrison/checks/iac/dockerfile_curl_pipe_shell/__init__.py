"""Check dockerfile_curl_pipe_shell."""
