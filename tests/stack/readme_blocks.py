"""Prints every line of every ```sh block of a bundle README, with where it stands.

    /usr/bin/python3 tests/stack/readme_blocks.py README.md HOST

One line per command: SECTION <tab> HOST <tab> COMMAND, where SECTION is the `## `
heading without its number and HOST is the machine the block is for: the README's own
HOST, or the one named by an "On ID (ADDRESS):" paragraph just above the block (the web
host's failover drill runs commands on the instances' machines). The tests run these
lines as they are, so a README that is wrong fails them.
"""
import re
import sys


def main():
    path, own_host = sys.argv[1], sys.argv[2]
    section = ""
    block_host = own_host
    in_block = False
    last_text = ""
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if in_block:
                if line.startswith("```"):
                    in_block = False
                elif line.strip():
                    print(f"{section}\t{block_host}\t{line}")
                continue
            if line.startswith("## "):
                section = re.sub(r"^\d+\.\s*", "", line[3:]).strip()
                last_text = ""
            elif line.startswith("```sh"):
                match = re.match(r"^On (\S+) \([^)]*\):$", last_text)
                block_host = match.group(1) if match else own_host
                in_block = True
            elif line.strip():
                last_text = line.strip()


if __name__ == "__main__":
    main()
