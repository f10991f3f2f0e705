/*
 * consumer.cpp - tests/consumer/consumer.c compiled as C++: the public
 * header must be usable from C++ as installed (extern "C" linkage, no
 * C-only constructs in what it declares).
 */
#include "consumer.c"
