# SyncormComponents.cmake -- the library's targets and what `cmake --install` exports for them.
#
#   syncorm_add_component(<name> LINK <target>... FIND <line>...)
#
#     Adds the INTERFACE target syncorm_<name> (syncorm::<name>), linking the core and LINK, and
#     installs it as a component of the package: its own export file syncorm-<name>-targets.cmake,
#     loaded only when the component is asked for, and syncorm-<name>-dependencies.cmake, the FIND
#     lines, which the package config runs first. A FIND line is one of
#       syncorm_find_dependency(<find_package arguments>)   e.g. "syncorm_find_dependency(SQLite3)"
#       syncorm_find_pkg_config(<prefix> <module>)            e.g. "syncorm_find_pkg_config(RABBITMQ librabbitmq)"
#     (defined in syncormConfig.cmake.in; the pkg-config one makes PkgConfig::<prefix>, which is what
#     LINK names). A component over a pkg-config library is one call of
#       syncorm_add_pkg_config_component(<name> <PREFIX> <module> <what it gives> <Debian package>)
#     e.g. syncorm_add_pkg_config_component(redis HIREDIS hiredis "Redis cache level" libhiredis-dev):
#     its option (AUTO), the pkg_check_modules call, the component and its FIND line.
#
#   syncorm_component_option(<name> <default> <what it needs>)
#
#     The cache variable SYNCORM_WITH_<NAME>: ON (build the component; its library must be found),
#     OFF (do not), AUTO (build it where its library is found). Sets in the caller
#     syncorm_<name>_wanted (false for OFF) and syncorm_<name>_required (REQUIRED for ON, else empty),
#     for the find_package / pkg_check_modules call. The vcpkg port's and conanfile's features set these.
#
#   syncorm_install_package(FIND <line>...)
#
#     After the last component: installs the headers, the core's export and its dependencies (the
#     FIND lines, as above), the package config (listing the components) and its version file.

include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SYNCORM_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/syncorm)

# Writes <file> in the build tree (for installation) holding the lines given.
function(_syncorm_write_dependencies file)
  list(JOIN ARGN "\n" lines)
  file(CONFIGURE OUTPUT "${PROJECT_BINARY_DIR}/package/${file}" CONTENT "${lines}\n" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/package/${file}" DESTINATION ${SYNCORM_PACKAGE_DIR})
endfunction()

function(syncorm_component_option name default needs)
  string(TOUPPER ${name} upper)
  set(SYNCORM_WITH_${upper} ${default} CACHE STRING "Build syncorm::${name} (needs ${needs}): ON, OFF or AUTO (if found)")
  set_property(CACHE SYNCORM_WITH_${upper} PROPERTY STRINGS ON OFF AUTO)
  set(value "${SYNCORM_WITH_${upper}}")
  string(TOUPPER "${value}" value)
  if(value STREQUAL "AUTO")
    set(syncorm_${name}_wanted TRUE PARENT_SCOPE)
    set(syncorm_${name}_required "" PARENT_SCOPE)
  elseif(value)
    set(syncorm_${name}_wanted TRUE PARENT_SCOPE)
    set(syncorm_${name}_required REQUIRED PARENT_SCOPE)
  else()
    set(syncorm_${name}_wanted FALSE PARENT_SCOPE)
    set(syncorm_${name}_required "" PARENT_SCOPE)
  endif()
endfunction()

function(syncorm_add_component name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "LINK;FIND")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "syncorm_add_component(${name}): unexpected arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  add_library(syncorm_${name} INTERFACE)
  add_library(syncorm::${name} ALIAS syncorm_${name})
  set_target_properties(syncorm_${name} PROPERTIES EXPORT_NAME ${name})
  target_link_libraries(syncorm_${name} INTERFACE syncorm ${arg_LINK})
  install(TARGETS syncorm_${name} EXPORT syncorm-${name}-targets)
  install(EXPORT syncorm-${name}-targets NAMESPACE syncorm:: DESTINATION ${SYNCORM_PACKAGE_DIR})
  _syncorm_write_dependencies(syncorm-${name}-dependencies.cmake ${arg_FIND})
  set_property(GLOBAL APPEND PROPERTY SYNCORM_COMPONENTS ${name})
endfunction()

function(syncorm_install_package)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "" "FIND")
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(TARGETS syncorm EXPORT syncorm-targets)
  install(EXPORT syncorm-targets NAMESPACE syncorm:: DESTINATION ${SYNCORM_PACKAGE_DIR})
  _syncorm_write_dependencies(syncorm-dependencies.cmake ${arg_FIND})
  get_property(SYNCORM_COMPONENTS GLOBAL PROPERTY SYNCORM_COMPONENTS)
  configure_package_config_file(${CMAKE_CURRENT_FUNCTION_LIST_DIR}/syncormConfig.cmake.in "${PROJECT_BINARY_DIR}/package/syncormConfig.cmake"
    INSTALL_DESTINATION ${SYNCORM_PACKAGE_DIR})
  # SemVer: a 1.x user accepts any later 1.y. (Before 1.0 a minor release may break; the CHANGELOG says when.)
  write_basic_package_version_file("${PROJECT_BINARY_DIR}/package/syncormConfigVersion.cmake"
    COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
  install(FILES "${PROJECT_BINARY_DIR}/package/syncormConfig.cmake"
                "${PROJECT_BINARY_DIR}/package/syncormConfigVersion.cmake"
          DESTINATION ${SYNCORM_PACKAGE_DIR})
endfunction()

# syncorm_add_pkg_config_component(<name> <PREFIX> <pkg-config module> <what it gives> <Debian package>)
#   An optional component over a library found by pkg-config (AUTO by default): the option, the
#   search, the component with its find_dependency line, and a status line either way.
function(syncorm_add_pkg_config_component name prefix module what debian)
  syncorm_component_option(${name} AUTO "${module}")
  if(syncorm_${name}_wanted)
    find_package(PkgConfig QUIET ${syncorm_${name}_required})
    if(PkgConfig_FOUND)
      pkg_check_modules(${prefix} QUIET ${syncorm_${name}_required} IMPORTED_TARGET GLOBAL ${module})
    endif()
  endif()
  if(${prefix}_FOUND)
    syncorm_add_component(${name} LINK PkgConfig::${prefix} FIND "syncorm_find_pkg_config(${prefix} ${module})")
    message(STATUS "syncorm: ${what} syncorm::${name} (${module} ${${prefix}_VERSION})")
  else()
    message(STATUS "syncorm: ${module} not found or not wanted (pkg-config ${module}, Debian: ${debian}): "
                   "syncorm::${name}, its tests and benchmarks are not built")
  endif()
  set(${prefix}_FOUND "${${prefix}_FOUND}" PARENT_SCOPE)
endfunction()

