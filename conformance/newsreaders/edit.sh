#!/bin/sh
# The "editor" the newsreader tests give tin and slrn: appends a line to the file it is given
# (the last argument; tin passes "+LINE FILE").
for f; do :; done
printf '\nFollow-up body from the newsreader test.\n' >> "$f"
