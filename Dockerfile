# tfcemu image: FROM scratch plus the static binary, so it builds where no
# base image can be pulled. Build the binary first: `make image` does both.
FROM scratch
COPY bin/linux/tfcemu /tfcemu
ENV TFCEMU_TFC_LISTEN=0.0.0.0:8080 \
    TFCEMU_VAULT_LISTEN=0.0.0.0:8200 \
    TFCEMU_CLOUDS_LISTEN=0.0.0.0:8300
EXPOSE 8080 8200 8300
HEALTHCHECK --interval=2s --timeout=2s --retries=15 CMD ["/tfcemu", "healthcheck", "--quiet"]
ENTRYPOINT ["/tfcemu"]
CMD ["serve"]
