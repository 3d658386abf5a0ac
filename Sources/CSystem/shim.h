#ifndef AEGIS_CSYSTEM_SHIM_H
#define AEGIS_CSYSTEM_SHIM_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <signal.h>

// accept4 is declared only under _GNU_SOURCE, which the Glibc module map does not set.
extern int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);

#endif
