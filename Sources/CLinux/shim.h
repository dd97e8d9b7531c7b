#ifndef CLINUX_SHIM_H
#define CLINUX_SHIM_H

// Linux-only headers that Swift's Glibc module does not export.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <malloc.h>

// accept4 is declared only under _GNU_SOURCE, which Swift's Glibc module is built without.
int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);

static inline int clinux_accept4(int fd, int flags) {
    return accept4(fd, 0, 0, flags);
}

#endif
