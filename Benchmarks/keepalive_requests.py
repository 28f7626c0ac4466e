#!/usr/bin/env python3
"""Sends COUNT GET requests for PATH, one after another on one keep-alive connection to
127.0.0.1:PORT, and fails unless every answer is 200: the load of the instruction-count
benchmark (its cost is the client's, not the server's, so its speed does not matter)."""
import http.client
import sys


def main() -> int:
    port, path, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for index in range(count):
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            print(f"request {index} for {path}: status {response.status}", file=sys.stderr)
            return 1
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
