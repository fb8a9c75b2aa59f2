// Operator endpoints (/status, /metrics) tell lag, delivery failures and SFTP peers: not for the public. They answer
// loopback callers (the operator on the machine, a local Prometheus agent) and, from elsewhere, only a request
// carrying `Authorization: Bearer <STATUS_TOKEN>`; without STATUS_TOKEN, loopback only.
import { timingSafeEqual } from 'node:crypto'
import type { FastifyRequest, onRequestHookHandler } from 'fastify'
import { DomainError } from '../domain/errors.js'

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/

export const isLoopback = (ip: string): boolean => LOOPBACK.test(ip)

function bearerMatches(request: FastifyRequest, token: string): boolean {
  const h = request.headers.authorization
  if (typeof h !== 'string' || !h.startsWith('Bearer ')) return false
  const given = Buffer.from(h.slice('Bearer '.length))
  const want = Buffer.from(token)
  return given.length === want.length && timingSafeEqual(given, want)
}

export function operatorOnly(token: string | undefined): onRequestHookHandler {
  return async function operatorGuard(request) {
    if (isLoopback(request.ip)) return
    if (token && bearerMatches(request, token)) return
    throw new DomainError('FORBIDDEN')
  }
}
