# vcpkg port: installs what `cmake --install` installs (the install the package_consumer test checks),
# with the features choosing the components. Use it as an overlay port:
#   vcpkg install syncorm[postgres,amqp] --overlay-ports=<syncorm>/ports
# Not run here (no vcpkg on this machine): REPO, REF and SHA512 are to be set where syncorm is
# published (vcpkg prints the SHA512 on the first install when it is 0).
vcpkg_from_github(
    OUT_SOURCE_PATH SOURCE_PATH
    REPO syncorm/syncorm
    REF "v${VERSION}"
    SHA512 0
    HEAD_REF main
)

set(VCPKG_BUILD_TYPE release) # header-only port

vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
    FEATURES
        sqlite   SYNCORM_WITH_SQLITE
        postgres SYNCORM_WITH_POSTGRES
        amqp     SYNCORM_WITH_AMQP
        redis    SYNCORM_WITH_REDIS
)

vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        ${FEATURE_OPTIONS}
        -DSYNCORM_BUILD_TESTS=OFF
        -DSYNCORM_BUILD_EXAMPLES=OFF
        -DSYNCORM_BUILD_BENCHMARKS=OFF
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH lib/cmake/syncorm)
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/lib")

vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
