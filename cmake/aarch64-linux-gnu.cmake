# Cross build for 64-bit ARM Linux (Raspberry Pi 4 and 5 with a 64-bit OS) on a Debian x86-64
# machine: Debian's g++-aarch64-linux-gnu, and the arm64 builds of the libraries installed beside
# the native ones through dpkg multiarch (scripts/setup.sh --arm64), which that compiler finds in
# /usr/include/aarch64-linux-gnu and /usr/lib/aarch64-linux-gnu by itself. Programs run under
# qemu-user: CTest and gtest_discover_tests start them through CMAKE_CROSSCOMPILING_EMULATOR.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# pkg-config must read the arm64 .pc files, never the host's.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# The target's loader and libc: libc6:arm64 (multiarch, installed with the arm64 libraries), the
# same build the arm64 libraries were linked against. (The loader and libc of libc6-arm64-cross,
# in /usr/aarch64-linux-gnu, hang under Debian 12's qemu-user as soon as a program starts a
# thread; programs linked by the cross compiler run on either.)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /)
