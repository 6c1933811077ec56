"""The JSON body that creates a Plone File through plone.restapi, holding a file's bytes.

    python3 tests/stack/file_json.py FILE ID TITLE > body.json

The stack suites POST it to the site to put a blob in the database (an upload, a backup).
"""
import base64
import json
import sys


def main():
    path, object_id, title = sys.argv[1:4]
    with open(path, "rb") as f:
        data = f.read()
    json.dump({"@type": "File", "id": object_id, "title": title,
               "file": {"data": base64.b64encode(data).decode(), "encoding": "base64",
                        "filename": path.rsplit("/", 1)[-1], "content-type": "application/octet-stream"}},
              sys.stdout)


if __name__ == "__main__":
    main()
