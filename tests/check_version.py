#!/usr/bin/env python3
"""One version: checks that what states syncorm's version agrees with CMakeLists.txt's project(VERSION).

    check_version.py <source dir> <PROJECT_VERSION>

Checked: include/syncorm/version.hpp, ports/syncorm/vcpkg.json, conanfile.py's set_version() (run with
stand-ins for the conan modules, which are not installed here), and CHANGELOG.md's latest release."""
import json
import re
import sys
import types
from pathlib import Path

source, version = Path(sys.argv[1]), sys.argv[2]
if not re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", version):
    sys.exit(f"project(VERSION) is {version!r}, not SemVer major.minor.patch")
major, minor, patch = (int(part) for part in version.split("."))
failures = []


def expect(what, found, wanted):
    if found != wanted:
        failures.append(f"{what}: {found!r}, but project(VERSION) says {wanted!r}")


# include/syncorm/version.hpp
header = (source / "include/syncorm/version.hpp").read_text()
def macro(name):
    match = re.search(rf"^#define {name} (.+)$", header, re.MULTILINE)
    return match.group(1).strip() if match else None
expect("SYNCORM_VERSION_MAJOR", macro("SYNCORM_VERSION_MAJOR"), str(major))
expect("SYNCORM_VERSION_MINOR", macro("SYNCORM_VERSION_MINOR"), str(minor))
expect("SYNCORM_VERSION_PATCH", macro("SYNCORM_VERSION_PATCH"), str(patch))
expect("SYNCORM_VERSION_STRING", macro("SYNCORM_VERSION_STRING"), f'"{version}"')

# ports/syncorm/vcpkg.json (the portfile takes ${VERSION} from it)
expect("ports/syncorm/vcpkg.json version", json.loads((source / "ports/syncorm/vcpkg.json").read_text()).get("version"),
       version)

# conanfile.py: its set_version(), run against the source tree.
def stand_in(name, **members):
    module = types.ModuleType(name)
    module.__dict__.update(members)
    sys.modules[name] = module
class ConanFile:
    pass
stand_in("conan", ConanFile=ConanFile)
stand_in("conan.tools")
stand_in("conan.tools.cmake", CMake=None, CMakeDeps=None, CMakeToolchain=None, cmake_layout=None)
stand_in("conan.tools.files", load=lambda _, path: Path(path).read_text(), rmdir=None)
stand_in("conan.tools.gnu", PkgConfigDeps=None)
recipe_module = {}
exec(compile((source / "conanfile.py").read_text(), "conanfile.py", "exec"), recipe_module)
recipe = recipe_module["SyncormConan"]()
recipe.recipe_folder = str(source)
if "version" in vars(type(recipe)):
    failures.append("conanfile.py states a version of its own; it must read CMakeLists.txt's")
recipe.set_version()
expect("conanfile.py set_version()", recipe.version, version)

# CHANGELOG.md: the latest release is this version.
releases = re.findall(r"^## \[([0-9]+\.[0-9]+\.[0-9]+)\]", (source / "CHANGELOG.md").read_text(), re.MULTILINE)
expect("CHANGELOG.md's latest release", releases[0] if releases else None, version)

if failures:
    sys.exit("version mismatch:\n  " + "\n  ".join(failures))
print(f"version {version}: version.hpp, vcpkg.json, conanfile.py and CHANGELOG.md agree")
