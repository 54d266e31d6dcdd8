/* olock.h's implementation on its own, for build/<flavour>/libolock_impl.a: the Makefile compiles
   it once per flavour (san, plain, tsan) and links it into the test programs that take the
   implementation as it ships (those that leave it out when OLOCK_TEST_LINKED is defined).
   A test that needs its own configuration of the implementation keeps defining it. */
#define OLOCK_IMPLEMENTATION
#include "olock.h"
