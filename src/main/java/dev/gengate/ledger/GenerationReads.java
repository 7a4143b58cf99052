package dev.gengate.ledger;

import dev.gengate.common.AppError;
import dev.gengate.common.ErrorCode;
import dev.gengate.ledger.LedgerApi.GenerationPage;
import dev.gengate.ledger.LedgerApi.GenerationRef;
import dev.gengate.ledger.LedgerApi.GenerationView;
import dev.gengate.ledger.LedgerApi.ImageRef;
import dev.gengate.ledger.LedgerApi.ListGenerations;
import dev.gengate.ledger.LedgerApi.StoredImage;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/** A user's generations and stored images, always scoped to that user: another user's look the same as none. */
final class GenerationReads {
  private final Pool pool;

  GenerationReads(Pool pool) {
    this.pool = pool;
  }

  Future<GenerationView> get(GenerationRef ref) {
    return pool.preparedQuery(GenerationSql.FIND_FOR_USER).execute(Tuple.of(ref.id(), ref.userId()))
        .map(rows -> {
          if (rows.size() == 0) {
            throw new AppError(ErrorCode.NOT_FOUND);
          }
          return Rows.generation(rows.iterator().next());
        });
  }

  Future<GenerationPage> list(ListGenerations request) {
    return pool.preparedQuery(GenerationSql.LIST)
        .execute(Tuple.of(request.userId(), request.status(), request.beforeCreatedAt(), request.beforeId(),
            request.limit() + 1))
        .map(rows -> {
          List<GenerationView> items = new ArrayList<>();
          for (Row row : rows) {
            items.add(Rows.generation(row));
          }
          boolean more = items.size() > request.limit();
          if (more) {
            items.remove(items.size() - 1);
          }
          return new GenerationPage(items, more);
        });
  }

  Future<StoredImage> image(ImageRef ref) {
    return pool.preparedQuery(GenerationSql.FIND_IMAGE).execute(Tuple.of(ref.generationId(), ref.userId(), ref.n()))
        .map(rows -> {
          if (rows.size() == 0) {
            throw new AppError(ErrorCode.NOT_FOUND);
          }
          Row row = rows.iterator().next();
          return new StoredImage(row.getString("content_type"), row.getBuffer("content").getBytes());
        });
  }
}
