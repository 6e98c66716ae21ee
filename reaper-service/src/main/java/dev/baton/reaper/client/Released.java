package dev.baton.reaper.client;

/** {@code POST /transition-lease/release}: what a force-release did. */
public enum Released { RELEASED, NO_LEASE, UNAUTHORIZED, NO_TOKEN, FAILED }
