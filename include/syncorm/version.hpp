#pragma once
// The library's version, SemVer. CMakeLists.txt's project(VERSION) is the single source; the
// version_consistency test checks this header, ports/syncorm/vcpkg.json and CHANGELOG.md against it.

/// Major version: a change that can break a user's code raises it (before 1.0, the minor does).
#define SYNCORM_VERSION_MAJOR 0
/// Minor version: new features, compatible.
#define SYNCORM_VERSION_MINOR 1
/// Patch version: fixes only.
#define SYNCORM_VERSION_PATCH 0
/// The version as one number, major * 10000 + minor * 100 + patch, for #if comparisons.
#define SYNCORM_VERSION (SYNCORM_VERSION_MAJOR * 10000 + SYNCORM_VERSION_MINOR * 100 + SYNCORM_VERSION_PATCH)
/// The version as text, "major.minor.patch".
#define SYNCORM_VERSION_STRING "0.1.0"
