// Operator endpoints (/status, /metrics) tell lag, delivery failures and SFTP peers: not for the public. "Loopback"
// is decided from the SOCKET's address, never from X-Forwarded-For (request.ip follows the header behind a trusted
// proxy). Without a proxy: loopback callers pass, others only with `Authorization: Bearer <STATUS_TOKEN>`. With
// TRUST_PROXY set, every request may have come through the proxy (whose socket is often loopback), so the token is
// required from everyone; without STATUS_TOKEN the endpoints are then closed.
// The demo's /dev/* pages answer loopback sockets only (loopbackOnly).
import { timingSafeEqual } from 'node:crypto'
import type { FastifyRequest, onRequestHookHandler } from 'fastify'
import { DomainError } from '../domain/errors.js'

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/

export const isLoopback = (ip: string): boolean => LOOPBACK.test(ip)

/** The peer of the TCP connection (not a forwarded address). */
export const socketAddress = (request: FastifyRequest): string => request.raw.socket?.remoteAddress ?? ''

function bearerMatches(request: FastifyRequest, token: string): boolean {
  const h = request.headers.authorization
  if (typeof h !== 'string' || !h.startsWith('Bearer ')) return false
  const given = Buffer.from(h.slice('Bearer '.length))
  const want = Buffer.from(token)
  return given.length === want.length && timingSafeEqual(given, want)
}

export function operatorOnly(token: string | undefined, opts: { behindProxy?: boolean } = {}): onRequestHookHandler {
  return async function operatorGuard(request) {
    if (!opts.behindProxy && isLoopback(socketAddress(request))) return
    if (token && bearerMatches(request, token)) return
    throw new DomainError('FORBIDDEN')
  }
}

/** Demo pages: the machine itself only (by socket address; behind a proxy nobody). */
export function assertLoopbackSocket(request: FastifyRequest, opts: { behindProxy?: boolean } = {}): void {
  if (opts.behindProxy || !isLoopback(socketAddress(request))) throw new DomainError('FORBIDDEN')
}
