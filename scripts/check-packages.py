#!/usr/bin/env python3
"""Checks the packages `dotnet pack` made: each carries a license, a readme, project and repository URLs, tags and a
symbol package, so nuget.org shows what the package is and debuggers can step into its sources.
Usage: check-packages.py DIR (the directory given to dotnet pack -o)."""
import glob, os, sys, zipfile
import xml.etree.ElementTree as ET

EXPECTED = {"Padlock", "Padlock.Redis", "Padlock.ZooKeeper", "Padlock.Etcd", "Padlock.Postgres", "Padlock.HealthChecks", "Padlock.Cli"}

def text(meta, tag):
    el = meta.find("{*}" + tag)
    return (el.text or "").strip() if el is not None else ""

def check(path):
    problems = []
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        nuspec = next(n for n in names if n.endswith(".nuspec") and "/" not in n)
        meta = ET.fromstring(z.read(nuspec)).find("{*}metadata")
        pid = text(meta, "id")
        lic = meta.find("{*}license")
        if lic is None or lic.get("type") != "expression" or (lic.text or "").strip() != "MIT":
            problems.append("no MIT license expression")
        if "LICENSE" not in names:
            problems.append("no LICENSE file")
        readme = text(meta, "readme")
        if not readme:
            problems.append("no readme element")
        elif readme not in names or len(z.read(readme).strip()) < 200:
            problems.append(f"readme '{readme}' missing or too short to say anything")
        repo = meta.find("{*}repository")
        if repo is None or not (repo.get("url") or "").startswith("https://"):
            problems.append("no repository URL")
        elif not repo.get("commit"):
            problems.append("repository has no commit (Source Link found no git metadata)")
        for tag in ("projectUrl", "tags", "description", "authors"):
            if not text(meta, tag):
                problems.append(f"no {tag}")
    if not os.path.exists(path[: -len(".nupkg")] + ".snupkg"):
        problems.append("no .snupkg symbol package")
    return pid, problems

def main(folder):
    found, failed = set(), False
    for path in sorted(glob.glob(os.path.join(folder, "*.nupkg"))):
        pid, problems = check(path)
        found.add(pid)
        print(f"{os.path.basename(path)}: {'ok' if not problems else '; '.join(problems)}")
        failed |= bool(problems)
    for pid in sorted(EXPECTED - found):
        print(f"{pid}: not packed")
        failed = True
    for pid in sorted(found - EXPECTED):
        print(f"{pid}: packed but not expected (add it to EXPECTED in {sys.argv[0]}, or set IsPackable=false)")
        failed = True
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
