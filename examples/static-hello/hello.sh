#!/bin/sh
# Prints the greeting baked in at build time; with --serve, also serves it on :8080.
cat /www/index.html
if [ "$1" = "--serve" ]; then
  echo "serving /www on :8080"
  exec httpd -f -p 8080 -h /www
fi
